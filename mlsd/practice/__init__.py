"""Practice: the mock-interview engine (`engine`), the drill (`drill`) and the
SQLite store of sessions and answers (`store`) that history and progress read.
"""
