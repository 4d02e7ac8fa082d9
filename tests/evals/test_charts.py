"""Chart geometry: values placed on the scale, gaps where a run lacks a figure, weakest bars first."""

from evals.charts import HEIGHT, PAD, bars, line_chart

RUNS = [{"id": 1, "figures": {"accuracy": 0.5, "latency_p95_ms": 20.0}},
        {"id": 2, "figures": {"accuracy": 1.0, "latency_p95_ms": None}},
        {"id": 3, "figures": {"accuracy": 0.75, "latency_p95_ms": 40.0}}]


def test_a_share_is_drawn_on_a_zero_to_one_scale():
    chart = line_chart("q", RUNS, {"accuracy": "准确率"}, top=1.0)
    [line] = chart.lines
    ys = [y for _, y, _ in line.points]
    assert ys[1] == PAD and ys[0] == (HEIGHT - PAD + PAD) / 2 and ys[0] > ys[2] > ys[1]
    assert [shown for *_, shown in line.points] == ["50.0%", "100.0%", "75.0%"]
    assert [label for _, label in chart.labels] == ["1", "2", "3"]
    assert [label for _, label in chart.ticks] == ["0.0%", "50.0%", "100.0%"]


def test_a_missing_figure_leaves_a_gap_and_a_plain_scale_fits_the_highest_value():
    [line] = line_chart("p95", RUNS, {"latency_p95_ms": "p95"}, percent=False).lines
    assert [shown for *_, shown in line.points] == ["20", "40"]
    assert line.points[1][1] == PAD and len(line.path.split()) == 2


def test_one_run_puts_each_figure_in_its_own_column_with_its_value():
    chart = line_chart("q", RUNS[:1], {"accuracy": "准确率", "latency_p95_ms": "p95"}, top=100.0)
    xs = [line.points[0][0] for line in chart.lines]
    assert len(set(xs)) == 2 and all(line.labelled for line in chart.lines)
    assert [line.key for line in chart.lines] == ["accuracy", "latency_p95_ms"]
    assert not any(line.labelled for line in line_chart("q", RUNS, {"accuracy": "准确率"}).lines)


def test_a_latency_is_rounded_to_whole_milliseconds():
    [line] = line_chart("p95", [{"id": 1, "figures": {"latency_p95_ms": 156.9940000000001}}],
                        {"latency_p95_ms": "p95"}, percent=False).lines
    assert line.points[0][2] == "157"


def test_bars_put_the_weakest_group_first():
    found = bars({"loan": {"accuracy": 0.9, "items": 10}, "fee": {"accuracy": 0.6, "items": 5},
                  "empty": {"accuracy": None, "items": 0}})
    assert [(b.label, b.percent) for b in found] == [("fee", 60.0), ("loan", 90.0), ("empty", 0.0)]
