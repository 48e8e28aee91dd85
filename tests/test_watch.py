"""`campaign-mock serve --watch`: a change to any file a served scenario is made of, however many `extends`
away, reloads it; a broken edit keeps what is served and says where the problem is."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from serving import serving


def _eventually(predicate: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _base(key: str, extra: str = "") -> str:
    return f"extends: default\nvendors:\n  leadterra:\n    api_keys: [{key}]\n{extra}"


def test_an_edit_two_extends_away_reloads_and_a_broken_one_keeps_the_served_state(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    base = tmp_path / "shared" / "base.yaml"
    base.write_text(_base("sk_test_one"))
    (tmp_path / "team.yaml").write_text("extends: shared/base.yaml\ndescription: the team's\n")
    live = tmp_path / "live.yaml"
    live.write_text("extends: team.yaml\nvariants: {leadterra.start_response: wrapped}\n")
    log = tmp_path / "serve.log"

    with serving(tmp_path, dict(os.environ), ["--scenario", str(live), "--watch", "--quiet"]) as client:

        def status_with(key: str) -> int:
            return client.get("/leadterra/v1/sender-pools", headers={"Authorization": f"Bearer {key}"}).status_code

        def current_variants() -> dict[str, str]:
            return {v["name"]: v["current"] for v in client.get("/__admin/variants").json()["variants"]}

        assert status_with("sk_test_one") == 200 and status_with("sk_test_two") == 401
        assert current_variants()["leadterra.start_response"] == "wrapped"

        # An editor's save: a new file renamed over the old one.
        draft = base.with_suffix(".tmp")
        draft.write_text(_base("sk_test_two"))
        os.replace(draft, base)
        assert _eventually(lambda: status_with("sk_test_two") == 200), log.read_text()
        assert status_with("sk_test_one") == 401
        assert "scenario reloaded: live (shared/base.yaml changed)" in log.read_text()

        # A broken edit: the problem is named by file and line, and what is served stays as it was.
        base.write_text(_base("sk_test_three", "    campaigns: [{id: camp_1, status: draft}]\n"))
        assert _eventually(lambda: "scenario not reloaded" in log.read_text()), log.read_text()
        assert "shared/base.yaml:5: vendors.leadterra.campaigns[0]: 'name' is a required property" in log.read_text()
        assert status_with("sk_test_two") == 200 and status_with("sk_test_three") == 401

        # Fixed, it loads; an edit to the file given on the command line is seen as well.
        base.write_text(_base("sk_test_three"))
        assert _eventually(lambda: status_with("sk_test_three") == 200), log.read_text()
        live.write_text("extends: team.yaml\n")
        assert _eventually(lambda: "(live.yaml changed)" in log.read_text()), log.read_text()
        assert _eventually(lambda: current_variants()["leadterra.start_response"] == "flat")
