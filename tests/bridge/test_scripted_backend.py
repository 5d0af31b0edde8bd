"""The scripted backend on its own: parsing, state and checks (no grpc)."""

import unittest

from bridge_harness import FIRST_PAGE, PAGE, epoch, finished, region, script
from deepmem import events as ev
from deepmem.bridge.scripted import Script, ScriptedBackend, ScriptError


def backend(*events, machine=None):
    return ScriptedBackend(Script(script(*events, machine=machine)))


class ScriptParsingTest(unittest.TestCase):

    def test_every_problem_is_reported(self):
        with self.assertRaises(ScriptError) as err:
            Script({"machine": {"nodes": [{"id": 1, "name": "x",
                                           "kind": "dram",
                                           "capacity_bytes": 1,
                                           "colour": "red"}]},
                    "events": [{"epoch_ended": {
                        "epoch": 0, "start_tick": 0, "end_tick": 1,
                        "epoch_instructions": 1, "total_instructions": 1,
                        "pages": [[1, 2, 3]]}},
                        {"finished": {}}]})
        problems = err.exception.problems
        self.assertTrue(any("unknown field 'colour'" in p for p in problems))
        self.assertTrue(any("ids must be 0..0 (were [1])" in p
                            for p in problems))
        self.assertTrue(any("pages[0] must be [page_number, reads, writes, "
                            "node]" in p for p in problems))
        self.assertTrue(any(p.startswith("events[1].finished:")
                            for p in problems))

    def test_pages_may_be_given_as_arrays(self):
        b = backend(region(), {"epoch_ended": {
            "epoch": 0, "start_tick": 0, "end_tick": 1,
            "epoch_instructions": 1, "total_instructions": 1,
            "pages": {"page_numbers": [FIRST_PAGE], "reads": [4],
                      "writes": [1], "nodes": [1]}}})
        b.next_event()
        e = b.next_event()
        self.assertEqual((e.page_numbers, e.reads, e.writes, e.page_nodes),
                         ((FIRST_PAGE,), (4,), (1,), (1,)))


class BackendStateTest(unittest.TestCase):

    def test_stop_jumps_to_the_scripts_finished_event(self):
        b = backend(region(), epoch(0), finished(exit_code=4))
        b.next_event()
        b.stop("bye")
        f = b.next_event()
        self.assertIsInstance(f, ev.Finished)
        self.assertEqual(f.exit_code, 4)
        with self.assertRaises(RuntimeError):
            b.next_event()

    def test_script_without_finished_ends_with_a_plain_one(self):
        b = backend(region())
        b.next_event()
        self.assertIsInstance(b.next_event(), ev.Finished)

    def test_migration_to_the_current_node_is_applied_without_moving(self):
        b = backend(region(), epoch(0))
        b.next_event()
        b.next_event()
        out = b.apply_migrations([ev.Migration(FIRST_PAGE, 0)])
        self.assertEqual((out.applied, out.rejections), (1, []))
        self.assertEqual(b.migrated_pages, 0)

    def test_migration_problems_are_named_as_gem5_names_them(self):
        b = backend(region(), epoch(0))
        b.next_event()
        b.next_event()
        out = b.apply_migrations([ev.Migration(5, 3), ev.Migration(5, 1),
                                  ev.Migration(FIRST_PAGE + 5, 1)])
        # gem5 reports the first problem only, in its own words: the node
        # first, then the page table (a page never touched has no entry).
        self.assertEqual([r.reason for r in out.rejections],
                         ["node 3 out of range (nodes: 2)",
                          "page 0x5 is not mapped",
                          f"page {FIRST_PAGE + 5:#x} is not mapped"])

    def test_frames_freed_by_migration_can_be_reused(self):
        b = backend(region(), epoch(0, [[FIRST_PAGE, 1, 0, 1]]))
        b.next_event()
        b.next_event()
        # node 1 full (1 used + 1 ours); moving ours away frees a frame
        self.assertTrue(b.apply_migrations(
            [ev.Migration(FIRST_PAGE + 0, 1)]).applied)
        out = b.apply_migrations([ev.Migration(FIRST_PAGE, 0)])
        self.assertEqual(out.applied, 1)
        self.assertEqual(b._in_use(1), 1)

    def test_region_bounds_are_page_granular(self):
        b = backend(region(start=FIRST_PAGE * PAGE + 100, length=PAGE),
                    epoch(0, [[FIRST_PAGE + 1, 1, 0, 0]]))
        b.next_event()
        b.next_event()
        # [start, start + PAGE) touches pages FIRST_PAGE and FIRST_PAGE + 1
        self.assertEqual(b.apply_migrations(
            [ev.Migration(FIRST_PAGE + 1, 1)]).applied, 1)
        out = b.apply_migrations([ev.Migration(FIRST_PAGE + 2, 0)])
        self.assertIn("not mapped", out.rejections[0].reason)

    def test_expectations_compare_what_the_simulator_saw(self):
        b = backend(region(call="placement", applied=1,
                           placement={"mode": "bind", "nodes": [0]}),
                    epoch(0, call="migrations", rejected=[0]),
                    epoch(1, call="none"))
        b.next_event()
        b.apply_placement(ev.Placement(1, "bind", (1,)))
        b.next_event()
        b.apply_migrations([ev.Migration(FIRST_PAGE, 0)])
        b.next_event()
        b.stop("x")
        unmet = b.unmet_expectations()
        self.assertEqual(len(unmet), 3, unmet)
        self.assertIn("placement differs: nodes expected [0] got [1]",
                      unmet[0])
        self.assertIn("expected rejected items [0], got []", unmet[1])
        self.assertIn("expected call none, got stop", unmet[2])


if __name__ == "__main__":
    unittest.main()
