"""Adapters between vmsspec and HTTP libraries: clients, servers and mocks."""
