"""What runs mean: effects, reports, sensitivity, discovery, calibration, patterns, robustness."""
