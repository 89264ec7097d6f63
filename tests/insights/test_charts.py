"""The bar charts' geometry: pure, no Django."""

from insights.charts import bar_chart


def chart(values):
    return bar_chart(
        id="c",
        title="t",
        description="d",
        category_axis="Zone",
        value_axis="Change",
        items=[(f"Zone {i}", v, str(v)) for i, v in enumerate(values)],
    )


def test_a_negative_bar_ends_at_zero_and_a_positive_one_starts_there():
    drawn = chart([-50, 100])
    fall, rise = drawn.bars
    assert (fall.x + fall.width, rise.x, fall.negative) == (drawn.zero_x, drawn.zero_x, True)


def test_a_bar_twice_as_long_stands_for_twice_the_value():
    small, large = chart([50, 100]).bars
    assert large.width == 2 * small.width


def test_the_ticks_run_from_the_lowest_value_to_the_highest_on_round_numbers():
    assert [tick.text for tick in chart([-30, 180]).ticks] == ["-100", "0", "100", "200"]


def test_all_zero_values_still_draw_an_axis():
    assert [tick.text for tick in chart([0, 0]).ticks] == ["0", "1"]
