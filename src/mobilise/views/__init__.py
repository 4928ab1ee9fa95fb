"""What people see: figures, the workshop app, the facilitator page and the printable brief."""
