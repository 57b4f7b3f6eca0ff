"""`dedup eval`: gold layouts, prediction formats, B-cubed, origin and canonical accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.errors import InputError
from dedup.evaluate import evaluate, same_origin, score_clusters
from dedup.io.labels import read_gold, read_prediction
from dedup.records import GoldCluster, Prediction

SAMPLE = Path(__file__).parents[1] / "examples" / "sample.jsonl"


def write_lines(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bcubed_on_a_small_example() -> None:
    # gold {a,b,c} {d}; predicted {a,b} {c,d}
    scores = score_clusters(
        {"a": "1", "b": "1", "c": "1", "d": "2"}, {"a": "x", "b": "x", "c": "y", "d": "y"}
    )
    # precision per id: a 1, b 1, c 1/2, d 1/2 -> 0.75; recall: a 2/3, b 2/3, c 1/3, d 1 -> 2/3
    assert scores.bcubed_precision == pytest.approx(0.75)
    assert scores.bcubed_recall == pytest.approx(2 / 3)
    assert scores.bcubed_f1 == pytest.approx(2 * 0.75 * (2 / 3) / (0.75 + 2 / 3))


def test_origin_names_match_domains_and_case() -> None:
    assert same_origin("CNN", "cnn.com")
    assert same_origin("AP", "AP")
    assert same_origin("USA Today", "usatoday.com")
    assert same_origin("marketpulseblog.com", "Market Pulse")
    assert not same_origin("AP", "APA")
    assert not same_origin("AP", "Reuters")
    assert not same_origin("AP", None)


def test_evaluate_counts_origin_and_canonical_on_multi_member_clusters() -> None:
    gold = [
        GoldCluster("g1", ("a", "b", "c"), origin="AFP", canonical_id="a"),
        GoldCluster("g2", ("d",)),
        GoldCluster("g3", ("e", "f"), origin="PTI", canonical_id="f"),
    ]
    predicted = Prediction(
        cluster_of={"a": "x", "b": "x", "c": "x", "e": "y", "f": "y"},
        canonical_of={"a": "a", "b": "a", "c": "a", "e": "e", "f": "e"},
        origin_of={"x": "AFP", "y": "PTI"},
    )
    result = evaluate(gold, predicted)
    assert (result.origin_hits, result.origin_total) == (2, 2)
    assert (result.canonical_hits, result.canonical_total) == (1, 2)
    assert result.scores.f1 == 1.0


def test_canonical_alternatives_are_accepted() -> None:
    predicted = Prediction(
        cluster_of={"a": "x", "b": "x", "c": "x"},
        canonical_of={"a": "b", "b": "b", "c": "b"},
        origin_of={"x": "AFP"},
    )
    strict = GoldCluster("g1", ("a", "b", "c"), canonical_id="a")
    lenient = GoldCluster("g1", ("a", "b", "c"), canonical_id="a", canonical_alternatives=("b",))
    assert evaluate([strict], predicted).canonical_hits == 0
    assert evaluate([lenient], predicted).canonical_hits == 1


def test_gold_in_both_layouts(tmp_path: Path) -> None:
    clusters = write_lines(
        tmp_path / "clusters.jsonl",
        [
            {"cluster_id": "c1", "ids": ["a", "b"], "origin": "AP", "canonical_id": "a"},
            {"cluster_id": "c2", "ids": ["c", "d"], "canonical_alternatives": ["d"]},
        ],
    )
    articles = write_lines(
        tmp_path / "newscopy.jsonl",
        [{"idx": 1, "cluster": 7}, {"idx": 2, "cluster": 7}, {"idx": 3, "cluster": 9}],
    )
    assert read_gold(clusters) == [
        GoldCluster("c1", ("a", "b"), "AP", "a"),
        GoldCluster("c2", ("c", "d"), canonical_alternatives=("d",)),
    ]
    assert read_gold(articles) == [GoldCluster("7", ("1", "2")), GoldCluster("9", ("3",))]


def test_gold_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"cluster_id": "c", "ids": ["a"]}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"gold.jsonl:2: invalid JSON"):
        read_gold(bad)
    twice = write_lines(tmp_path / "twice.jsonl", [{"ids": ["a"]}, {"ids": ["a", "b"]}])
    with pytest.raises(InputError, match="id 'a' is labelled in two clusters"):
        read_gold(twice)


def test_prediction_from_clusters_and_from_annotated(tmp_path: Path) -> None:
    clusters = write_lines(
        tmp_path / "clusters.jsonl",
        [
            {
                "cluster_id": "c-1",
                "canonical_id": "a",
                "origin": "AP",
                "members": [{"id": "a"}, {"id": "b"}],
            }
        ],
    )
    annotated = write_lines(
        tmp_path / "annotated.jsonl",
        [
            {"id": "a", "text": "x", "cluster_id": "c-1", "canonical_id": "a", "role": "canonical"},
            {"id": "z", "text": "y", "cluster_id": "c-9", "canonical_id": "z", "role": "unique"},
        ],
    )
    from_clusters = read_prediction(clusters)
    assert from_clusters.cluster_of == {"a": "c-1", "b": "c-1"}
    assert from_clusters.canonical_of == {"a": "a", "b": "a"}
    assert from_clusters.origin_of == {"c-1": "AP"}
    from_annotated = read_prediction(annotated)
    assert from_annotated.cluster_of == {"a": "c-1", "z": "c-9"}
    assert from_annotated.origin_of == {}


def test_eval_command_table_and_json(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "clusters.jsonl"
    assert runner.invoke(app, ["scan", str(SAMPLE), "-o", str(out), "-q"]).exit_code == 0
    gold = write_lines(
        tmp_path / "gold.jsonl",
        [
            {
                "cluster_id": "bikes",
                "ids": ["ap-riverton-bikes", "gazette-8841", "daily-brief-bikes", "newsfeed-30419"],
                "origin": "AP",
                "canonical_id": "ap-riverton-bikes",
            },
            {"cluster_id": "other", "ids": ["tribune-bikes-night"]},
        ],
    )
    table = runner.invoke(app, ["eval", "--gold", str(gold), str(out)])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0] == "labelled ids          5"
    assert lines[1] == "adjusted Rand index   1.000"
    assert "origin accuracy       1.000  (1 of 1 clusters)" in lines
    as_json = runner.invoke(app, ["eval", "--gold", str(gold), str(out), "--json"])
    assert json.loads(as_json.stdout)["pairwise"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "true_pairs": 6,
        "predicted_pairs": 6,
    }


def test_eval_command_user_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", "--gold", str(tmp_path / "nope.jsonl"), str(SAMPLE)])
    assert missing.exit_code == 3
    assert missing.stderr.startswith("error: cannot read ")
    gold = write_lines(tmp_path / "gold.jsonl", [{"ids": ["a"]}])
    not_output = runner.invoke(app, ["eval", "--gold", str(gold), str(SAMPLE)])
    assert not_output.exit_code == 3
    assert not_output.stderr == f"error: {SAMPLE}:1: no 'cluster_id': not a dedup output\n"
