"""Simulations: pure, seeded functions that return frozen `SimResult`s.

Heavy libraries (numpy, sklearn, faiss…) are imported inside these modules,
which the CLI imports only when a simulation actually runs.
"""
