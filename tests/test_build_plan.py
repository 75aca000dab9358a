"""``build_plan``: a build's groups kept in a file and read back as they were, in order."""

from __future__ import annotations

from cxcorpus.build_plan import GroupPlan
from cxcorpus.corpus import list_manifest


def test_the_manifest_s_groups_come_back_as_listed(corpus_dir, tmp_path):
    listed = list_manifest(corpus_dir)
    with GroupPlan(tmp_path, corpus_dir) as plan:
        for k, (name, articles) in enumerate(listed.items()):
            plan.add(name, f"key-{k}", reused=k == 1, articles=articles, listed=True)
        groups = list(plan)
        assert [g.name for g in groups] == list(listed)
        # a group taken from the previous output keeps nothing of its articles: not read
        assert [g.listed for g in groups] == [None if k == 1 else articles
                                              for k, articles in enumerate(listed.values())]
        assert [g.reused for g in groups] == [k == 1 for k in range(len(listed))]
        assert (plan.groups, plan.articles) == (len(listed), sum(map(len, listed.values())))
        assert plan.todo == len(listed) - 1
        assert plan.todo_articles == plan.articles - len(listed[groups[1].name])
        assert list(tmp_path.iterdir()) == []  # a nameless file: nothing left in the folder


def test_two_passes_read_side_by_side_and_odd_names_survive(tmp_path):
    names = ["cx-tweetchat", "caf\udce9", "ümlaut \"quoted\"\n"] * 700  # past one read block
    with GroupPlan(tmp_path, tmp_path) as plan:
        for k, name in enumerate(names):
            plan.add(f"{name}{k}", str(k), reused=False, articles=[], listed=False)
        first, second = iter(plan), iter(plan)
        pairs = [(a.name, b.name, a.key) for a, b in zip(first, second)]
    assert pairs == [(f"{n}{k}", f"{n}{k}", str(k)) for k, n in enumerate(names)]
