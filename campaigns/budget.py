"""The participatory-budget rule: which proposals of a capped round are funded.

**Greedy by votes, skipping what does not fit.** Walk down the ranking (most votes first; equal votes:
the earlier proposal first, the order the frozen ranking already uses) and fund each proposal whose cost
fits in what is left of the cap; one that does not fit is skipped and the ones below it still get their
chance. Proposals without a cost estimate cannot be funded in a capped round.

Why not the exact 0/1 knapsack that maximises the total of votes? For a civic budget the greedy rule is
the right one, and it is the rule Seoul's own participatory budget (주민참여예산), Paris and New York use:

- *No proposal loses to one with fewer votes unless it did not fit.* The knapsack can drop the most
  supported project to fund two less supported ones (cap 100: A 10 votes/60, B 9 votes/50, C 8 votes/50 →
  greedy funds A, the knapsack B + C): citizens read that as the vote being overruled.
- *Anyone can check it by hand* from the published ranking and costs, in one pass; the knapsack's answer
  needs a solver and can jump around when one cost changes by a won.
- *Votes are approvals, not utilities*: adding up supporters of different projects and maximising the sum
  gives the sum a meaning it does not have, and rewards shaving cost estimates to squeeze in.

The price is that greedy can fund fewer votes in total than the best combination; tests state that case.
"""
from __future__ import annotations


def budget_winners(*, cap: int, ranked: list[tuple[int, int | None]]) -> set[int]:
    """The funded set: `ranked` is (proposal id, estimated cost or None) in ranking order."""
    funded, left = set(), cap
    for proposal_id, cost in ranked:
        if cost is not None and cost <= left:
            funded.add(proposal_id)
            left -= cost
    return funded


def budget_table(*, cap: int, rows: list[tuple[object, int, int | None]], funded: set | None = None) -> dict:
    """The winning set as shown: each (proposal, votes, cost) row in ranking order with whether it is funded,
    the funded total and what is left of the cap. `funded` is the frozen set of a closed round; without it
    the rule is applied to the rows as they stand (a running round: provisional)."""
    if funded is None:
        funded = budget_winners(cap=cap, ranked=[(getattr(p, "pk", p), cost) for p, _votes, cost in rows])
    shown = [{"proposal": p, "votes": votes, "cost": cost, "funded": getattr(p, "pk", p) in funded}
             for p, votes, cost in rows]
    total = sum(row["cost"] for row in shown if row["funded"])
    return {"cap": cap, "rows": shown, "total": total, "left": cap - total}
