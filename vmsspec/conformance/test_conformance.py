"""The conformance suite as pytest items: ``pytest --pyargs vmsspec.conformance``.

``--vms-target URL`` checks an endpoint (credentials from VOLC_ACCESSKEY and
VOLC_SECRETKEY); without it, the embedded reference service. The items, their
parametrization and the engine come from ``_vmsspec_conformance_pytestplugin``; each item
judges one check on one case, exactly as ``vmsspec check`` does.
"""

from __future__ import annotations

from typing import Any

from _vmsspec_conformance_pytestplugin import check_item


def test_conformance(vms_conformance_check: tuple[str, str], vms_conformance_run: Any,
                     record_property: Any) -> None:
    check_item(vms_conformance_run, vms_conformance_check, record_property)
