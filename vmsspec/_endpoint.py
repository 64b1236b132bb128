"""Where CreateTask lives: the one place its action, version, host and scope are spelled.

Every module (service, adapters, CLI, strategies) reads these; no module spells them again.
"""

from __future__ import annotations

__all__ = ["ACTION", "DEFAULT_HOST", "DEFAULT_REGION", "DEFAULT_SERVICE", "VERSION"]

ACTION = "CreateTask"
VERSION = "2022-01-01"
DEFAULT_HOST = "cloud-vms.volcengineapi.com"
"""The public endpoint (vendor page); the mock answers it, tests never reach it."""
DEFAULT_REGION = "cn-beijing"
DEFAULT_SERVICE = "vms"
"""The credential scope's service name for VMS (the SDKs' service info)."""
