"""The simulation: populations, networks, government and the vectorised mission model."""
