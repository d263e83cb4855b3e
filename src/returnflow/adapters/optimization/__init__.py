"""Optimization solvers: batch routing under daily capacities, network design."""
