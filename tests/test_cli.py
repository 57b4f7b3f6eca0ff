"""The ``dedup`` command line: exit codes, exact messages, every output file, and real processes.

Runs against the team's own sample dump (examples/sample.jsonl: 11 valid articles, invalid
JSON on line 12, an empty text on line 13) from the repository root, so messages carry the
relative path exactly as a user would type it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

from dedup import __version__
from dedup.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SAMPLE = "examples/sample.jsonl"
EXPECTED_FORMATS = (
    "expected .jsonl, .ndjson, .json, .csv, .tsv, .parquet, .html, .htm, .txt, .warc or .arc,"
    " optionally compressed (.gz, .bz2, .xz, .zst)"
)

SKIPPED_12 = f"skipped {SAMPLE}:12: invalid JSON: "
SKIPPED_13 = f"skipped {SAMPLE}:13: empty text"
READ_LINE = "13 records read, 2 rejected, 11 articles (0 too short to compare)"
CLUSTER_LINE = "3 clusters covering 9 articles (largest 4); 2 articles with no copy"
PAIRS_LINE = re.compile(r"\d+ candidate pairs, \d+ verified; \d+\.\d\d s")


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="dedup")


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sample_records() -> list[dict[str, object]]:
    """The sample's valid records, parsed independently of dedup."""
    rows = []
    for line in (ROOT / SAMPLE).read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if str(row.get("text", "")).strip():
            rows.append(row)
    return rows


def stable_id(article_id: str) -> str:
    return "c-" + hashlib.sha256(article_id.encode()).hexdigest()[:16]


def assert_summary(stderr_lines: list[str], written: list[str]) -> None:
    """The stderr of a successful sample run: skipped lines, summary, written files."""
    assert stderr_lines[0].startswith(SKIPPED_12)
    assert len(stderr_lines[0]) > len(SKIPPED_12)
    assert stderr_lines[1:4] == [SKIPPED_13, READ_LINE, CLUSTER_LINE]
    assert PAIRS_LINE.fullmatch(stderr_lines[4]), stderr_lines[4]
    assert stderr_lines[5:] == [f"wrote {path}" for path in written]


# --- success on the sample -----------------------------------------------------------


def test_scan_sample_writes_clusters_and_default_rejects(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    result = invoke("scan", SAMPLE, "-o", out)

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert_summary(result.stderr.splitlines(), [str(out), f"{out}.rejects.jsonl"])

    clusters = read_jsonl(out)
    assert len(clusters) == 3
    assert [c["size"] for c in clusters] == [4, 3, 2]
    for cluster in clusters:
        assert cluster["cluster_id"] == stable_id(str(cluster["canonical_id"]))
        members = cluster["members"]
        assert isinstance(members, list)
        assert len(members) == cluster["size"]
        assert members[0]["role"] == "canonical"
        assert members[0]["id"] == cluster["canonical_id"]
        reasons = cluster["reasons"]
        assert isinstance(reasons, list)
        assert str(reasons[0]).startswith("origin ")

    rejects = read_jsonl(Path(f"{out}.rejects.jsonl"))
    lines = (ROOT / SAMPLE).read_text(encoding="utf-8").splitlines()
    assert [set(r) for r in rejects] == [{"path", "line", "unit", "reason", "raw"}] * 2
    assert [(r["path"], r["line"]) for r in rejects] == [(SAMPLE, 12), (SAMPLE, 13)]
    assert str(rejects[0]["reason"]).startswith("invalid JSON: ")
    assert rejects[1]["reason"] == "empty text"
    assert [r["raw"] for r in rejects] == [lines[11], lines[12]]
    # the message on stderr and the row in the rejects file say the same thing
    assert result.stderr.splitlines()[0] == f"skipped {SAMPLE}:12: {rejects[0]['reason']}"


def test_rejects_option_overrides_default(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    quarantine = tmp_path / "quarantine.jsonl"
    result = invoke("scan", SAMPLE, "-o", out, "--rejects", quarantine)

    assert result.exit_code == 0, result.output
    assert not Path(f"{out}.rejects.jsonl").exists()
    assert [r["line"] for r in read_jsonl(quarantine)] == [12, 13]
    assert result.stderr.splitlines()[-2:] == [f"wrote {out}", f"wrote {quarantine}"]


def test_annotate_uniques_and_summary_json(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    annotated = tmp_path / "annotated.jsonl"
    uniques = tmp_path / "uniques.jsonl"
    summary = tmp_path / "summary.json"
    result = invoke(
        "scan",
        SAMPLE,
        "-o",
        out,
        "--annotate",
        annotated,
        "--uniques",
        uniques,
        "--summary-json",
        summary,
    )

    assert result.exit_code == 0, result.output
    written = [out, annotated, uniques, summary, Path(f"{out}.rejects.jsonl")]
    assert_summary(result.stderr.splitlines(), [str(p) for p in written])

    clusters = read_jsonl(out)
    placed = {
        m["id"]: (c["cluster_id"], c["canonical_id"], m["role"])
        for c in clusters
        for m in c["members"]  # type: ignore[attr-defined]
    }
    originals = sample_records()
    assert len(originals) == 11

    rows = read_jsonl(annotated)
    assert len(rows) == 11
    singletons = []
    for original, row in zip(originals, rows, strict=True):
        assert list(row) == [*original, "cluster_id", "canonical_id", "role"]
        assert {key: row[key] for key in original} == original
        article_id = str(original["id"])
        got = (row["cluster_id"], row["canonical_id"], row["role"])
        if article_id in placed:
            assert got == placed[article_id]
        else:
            singletons.append(article_id)
            assert got == (stable_id(article_id), article_id, "unique")
    assert len(singletons) == 2

    canonicals = {str(c["canonical_id"]) for c in clusters}
    kept = read_jsonl(uniques)
    assert len(kept) == 5
    assert {str(r["id"]) for r in kept} == canonicals | set(singletons)
    assert kept == [r for r in originals if r["id"] in canonicals | set(singletons)]

    stats = json.loads(summary.read_text(encoding="utf-8"))
    assert {
        key: stats[key]
        for key in (
            "records_read",
            "rejected",
            "articles",
            "too_short",
            "clusters",
            "clustered_articles",
            "singletons",
            "largest_cluster",
        )
    } == {
        "records_read": 13,
        "rejected": 2,
        "articles": 11,
        "too_short": 0,
        "clusters": 3,
        "clustered_articles": 9,
        "singletons": 2,
        "largest_cluster": 4,
    }
    assert stats["verified_pairs"] <= stats["candidate_pairs"]
    assert stats["params"] == clusters[0]["params"]
    assert stats["warnings"] == []


def test_output_dash_writes_clusters_to_stdout(tmp_path: Path) -> None:
    result = invoke("scan", SAMPLE, "-o", "-")

    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["size"] for r in rows] == [4, 3, 2]
    lines = result.stderr.splitlines()
    assert lines.pop(2) == "skipped records not saved: give --rejects FILE"
    assert_summary(lines, [])  # no "wrote" line: nothing went to a file
    assert not (ROOT / "-").exists()
    assert not (ROOT / "-.rejects.jsonl").exists()


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    result = invoke("scan", SAMPLE, "-o", out, "--quiet")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout == ""
    assert len(read_jsonl(out)) == 3
    assert len(read_jsonl(Path(f"{out}.rejects.jsonl"))) == 2


# --- errors ----------------------------------------------------------------------------


def test_strict_fails_on_first_bad_record_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    result = invoke("scan", SAMPLE, "-o", out, "--strict")

    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {SAMPLE}:12: invalid JSON: ")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_input_is_an_input_error(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    result = invoke("scan", "no/such/dump.jsonl", "-o", out)

    assert result.exit_code == 3
    assert result.stderr == "error: input 'no/such/dump.jsonl' does not exist: check the path\n"
    assert not out.exists()


def test_unknown_extension_is_an_input_error(tmp_path: Path) -> None:
    dump = tmp_path / "dump.xml"
    dump.write_text("<articles/>", encoding="utf-8")
    result = invoke("scan", dump, "-o", tmp_path / "clusters.jsonl")

    assert result.exit_code == 3
    assert result.stderr == f"error: cannot tell the format of '{dump}': {EXPECTED_FORMATS}\n"


def test_bad_parameter_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"
    result = invoke("scan", SAMPLE, "-o", out, "--threshold", "1.5")

    assert result.exit_code == 2
    assert result.stderr == "error: jaccard_threshold must be in (0, 1], got 1.5\n"
    assert not out.exists()


def test_empty_field_name_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("scan", SAMPLE, "-o", tmp_path / "c.jsonl", "--id-field", " ")

    assert result.exit_code == 2
    assert result.stderr == "error: field name for 'id' must be a non-empty string, got ' '\n"


def test_missing_output_option_is_a_usage_error() -> None:
    result = invoke("scan", SAMPLE)

    assert result.exit_code == 2
    assert "Missing option '--output'" in result.output
    assert "Traceback" not in result.output


def test_output_in_missing_directory_is_an_output_error(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "clusters.jsonl"
    result = invoke("scan", SAMPLE, "-o", out)

    assert result.exit_code == 4
    last = result.stderr.splitlines()[-1]
    assert last == f"error: cannot write '{out}': No such file or directory"
    assert "Traceback" not in result.output


def test_output_onto_a_directory_is_an_output_error(tmp_path: Path) -> None:
    result = invoke("scan", SAMPLE, "-o", tmp_path, "--quiet")

    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: cannot write '{tmp_path}': ")
    assert len(result.stderr.splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir()] == []  # no temp file left behind


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write anywhere"
)
def test_output_in_read_only_directory_is_an_output_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = invoke("scan", SAMPLE, "-o", locked / "clusters.jsonl", "--quiet")
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: cannot write '{locked / 'clusters.jsonl'}': ")


def test_no_arguments_shows_usage() -> None:
    result = invoke()

    # click < 8.2 exits 0 on no_args_is_help, newer versions 2 (a usage error)
    assert result.exit_code in (0, 2)
    assert "Usage: dedup" in result.output
    assert "scan" in result.output


def test_scan_help_lists_options() -> None:
    result = invoke("scan", "--help")

    assert result.exit_code == 0
    for option in ("--output", "--annotate", "--uniques", "--rejects", "--strict", "--quiet"):
        assert option in result.output


def test_version() -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.stdout == f"dedup {__version__}\n"
    assert __version__ == "0.1.0"


# --- field mapping ---------------------------------------------------------------------

_WORDS = [
    f"{a}{b}"
    for a in ("har", "vel", "mon", "tas", "rin", "dor", "pel", "qua", "sul", "bri")
    for b in ("ad", "en", "ix", "or", "um", "et", "ola", "ine")
]


def _invented_text(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(words)) + "."


def test_field_mapping_reads_csv_with_other_column_names(tmp_path: Path) -> None:
    story, other = _invented_text(1), _invented_text(2)
    dump = tmp_path / "dump.csv"
    with dump.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["story_id", "body", "source"])
        writer.writerow(["s-1", story, "first-outlet.example"])
        writer.writerow(["s-2", story + " " + _invented_text(3, 10), "second-outlet.example"])
        writer.writerow(["s-3", other, "third-outlet.example"])
    out = tmp_path / "clusters.jsonl"
    annotated = tmp_path / "annotated.jsonl"
    result = invoke(
        "scan",
        dump,
        "-o",
        out,
        "--annotate",
        annotated,
        "--id-field",
        "story_id",
        "--text-field",
        "body",
        "--outlet-field",
        "source",
    )

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "3 records read, 0 rejected, 3 articles (0 too short to compare)"
    )
    (cluster,) = read_jsonl(out)
    members = cluster["members"]
    assert isinstance(members, list)
    assert {(m["id"], m["outlet"]) for m in members} == {
        ("s-1", "first-outlet.example"),
        ("s-2", "second-outlet.example"),
    }
    rows = read_jsonl(annotated)
    assert [r["story_id"] for r in rows] == ["s-1", "s-2", "s-3"]
    assert rows[2]["role"] == "unique"


def test_default_field_names_do_not_match_a_renamed_csv(tmp_path: Path) -> None:
    dump = tmp_path / "dump.csv"
    dump.write_text("story_id,body\ns-1,some words\n", encoding="utf-8")
    result = invoke("scan", dump, "-o", tmp_path / "clusters.jsonl")

    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"skipped {dump}:1: missing header: no column 'text' in line 1"
    )


# --- README ----------------------------------------------------------------------------


@pytest.mark.skipif(not README.exists(), reason="README.md not written yet")
def test_readme_documents_every_command_and_option() -> None:
    readme = README.read_text(encoding="utf-8")
    group = get_command(app)
    missing = [
        opt
        for param in group.params
        for opt in param.opts
        if opt.startswith("--") and opt not in readme
    ]
    commands = getattr(group, "commands", {})
    assert commands, "the app should have sub-commands"
    for name, command in commands.items():
        if f"dedup {name}" not in readme:
            missing.append(f"dedup {name}")
        missing += [
            opt
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt not in readme
        ]
    assert missing == []


# --- real processes --------------------------------------------------------------------


def run_dedup(*args: str | Path, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "dedup", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_process_success_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    runs = [run_dedup("scan", SAMPLE, "-o", first, seed="1")]
    runs.append(run_dedup("scan", SAMPLE, "-o", second, "--quiet", seed="2"))

    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
        assert run.stdout == ""
    assert_summary(runs[0].stderr.splitlines(), [str(first), f"{first}.rejects.jsonl"])
    assert runs[1].stderr == ""
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes().splitlines()) == 3


def test_process_user_error_has_no_traceback(tmp_path: Path) -> None:
    run = run_dedup("scan", "missing.jsonl", "-o", tmp_path / "clusters.jsonl")

    assert run.returncode == 3
    assert "Traceback" not in run.stderr
    assert run.stderr == "error: input 'missing.jsonl' does not exist: check the path\n"
    assert run.stdout == ""
