"""What a modeller writes, validated: scenario, experiment and pattern files, reforms, actor types.

Imports only :mod:`mobilise.vocabulary` and itself.
"""
