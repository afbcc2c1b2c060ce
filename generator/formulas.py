"""The text of the workbook's native formulas, one function per rule of the engine.

Only functions that Excel 2010+, LibreOffice 7.4+ and Google Sheets compute alike: COUNTIF,
COUNTIFS, SUMPRODUCT, IF, AND, OR, NOT, MIN, MAX, ISBLANK, LEFT, LEN. Never SUM or COUNT over
booleans: Excel skips logical values there, LibreOffice counts TRUE as 1. A tick is compared
with ``=TRUE`` or counted with ``COUNTIF(range,TRUE)``, on which both programs agree.

Every function takes cell references (A1 text, sheet-qualified where needed) and returns a
formula starting with "=".
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.criteria import ExperienceSection


def tick_count(tick_range: str) -> str:
    """How many ticks of a section are TRUE."""
    return f"=COUNTIF({tick_range},TRUE)"


def size_count(options: Sequence[tuple[str, int | None]], complexity_count: str) -> str:
    """How many size options count: ticked, and their complexity condition holding.

    Args:
        options: (tick cell, requires_complexity or None) per option.
        complexity_count: the cell counting the level's ticked complexity criteria.
    """
    terms = []
    for cell, needs in options:
        if needs:
            terms.append(f"IF(AND({cell}=TRUE,{complexity_count}>={needs}),1,0)")
        else:
            terms.append(f"IF({cell}=TRUE,1,0)")
    return "=" + "+".join(terms)


def at_least(count_cell: str, needed: int) -> str:
    """TRUE when a section's count reaches what it needs."""
    return f"={count_cell}>={needed}"


def _countifs(completed: str, levels: str, floor: int, component: tuple[str, str] | None) -> str:
    """Completed engagements at `floor` or above, in one component when given."""
    parts = [f"{completed},TRUE", f'{levels},">={floor}"']
    if component is not None:
        parts.insert(0, f'{component[0]},"{component[1]}"')
    return f"COUNTIFS({','.join(parts)})"


def experience_count(
    section: ExperienceSection,
    completed: str,
    levels: str,
    components: tuple[str, Sequence[str]] | None,
) -> str:
    """Counted engagements at the floor level or above (in the best component), capped."""
    floor = section.floor_level
    if components is None:
        counts = [_countifs(completed, levels, floor, None)]
    else:
        cells, names = components
        counts = [_countifs(completed, levels, floor, (cells, name)) for name in names]
    best = counts[0] if len(counts) == 1 else f"MAX({','.join(counts)})"
    return f"=MIN({best},{section.count})"


def experience_met(
    section: ExperienceSection,
    completed: str,
    levels: str,
    components: tuple[str, Sequence[str]] | None,
) -> str:
    """TRUE when, in one component or over all rows, `count` engagements reach the floor
    level and one of them the top level.

    A row counts only when completed, with a level and (per component) with a component:
    COUNTIFS skips rows whose level is blank or whose component does not match.
    """

    def group(component: tuple[str, str] | None) -> str:
        floor = _countifs(completed, levels, section.floor_level, component)
        top = _countifs(completed, levels, section.top_level, component)
        return f"AND({floor}>={section.count},{top}>=1)"

    if components is None:
        return "=" + group(None)
    cells, names = components
    return f"=OR({','.join(group((cells, name)) for name in names)})"


def all_of(cells: Sequence[str]) -> str:
    """TRUE when every cell is TRUE: a level is met when all its sections hold."""
    return f"=AND({','.join(cells)})"


def progress(pairs: Sequence[tuple[str, int]]) -> str:
    """The share of a level done: each section's count over what it needs, capped at 1."""
    terms = [f"MIN({cell}/{needed},1)" for cell, needed in pairs]
    return f"=({'+'.join(terms)})/{len(terms)}"


def missing_list(pairs: Sequence[tuple[str, str]]) -> str:
    """The names of the sections that do not hold yet, each followed by ", "."""
    return "=" + "&".join(f'IF({cell},"","{name}, ")' for cell, name in pairs)


def missing_text(met_cell: str, list_cell: str) -> str:
    """'all requirements met' or 'missing: a, b' from a `missing_list` cell."""
    return (
        f'=IF({met_cell},"all requirements met","missing: "&LEFT({list_cell},LEN({list_cell})-2))'
    )


def section_state(met_cell: str, count_cell: str, needed: int) -> str:
    """A section's state in words: 'met' or 'k of n'."""
    return f'=IF({met_cell},"met",{count_cell}&" of {needed}")'


def level_state(met_cell: str, progress_cell: str) -> str:
    """Met, close (three quarters done), in progress or not started."""
    return (
        f'=IF({met_cell},"Met",IF({progress_cell}=0,"Not started",'
        f'IF({progress_cell}>=0.75,"Close","In progress")))'
    )


def field_level(levels: Sequence[tuple[str, int]]) -> str:
    """A field's qualified level: its highest met level, 0 when none is met."""
    return f"=MAX({','.join(f'IF({cell},{number},0)' for cell, number in levels)})"


def highest(cells: Sequence[str]) -> str:
    """The overall level: the highest of the fields' levels."""
    return f"=MAX({','.join(cells)})"


def live_value(cell: str) -> str:
    """An input cell's value, empty text when the cell is blank (not 0)."""
    return f'=IF(ISBLANK({cell}),"",{cell})'
