"""The lockstep Session: every message kind, replies applied and rejected."""

import unittest

from bridge_harness import (FIRST_PAGE, PAGE, REGION_START, BridgeTest,
                            SimRun, epoch, finished, pb2, region, script)
from deepmem import events as ev


class SessionTest(BridgeTest):

    def test_every_message_kind_flows_in_lockstep(self):
        run = SimRun(script(
            region(),
            epoch(0, [[FIRST_PAGE, 10, 2, 0], [FIRST_PAGE + 1, 3, 0, 0],
                      [FIRST_PAGE + 2, 1, 1, 0]]),
            epoch(1, [[FIRST_PAGE, 5, 0, 1]]),
            finished(exit_code=0)))
        c = self.controller(run)

        m = c.recv()
        self.assertEqual(m.sequence, 1)
        self.assertEqual(m.WhichOneof("event"), "region_created")
        self.assertFalse(m.HasField("previous_reply"))
        rc = m.region_created
        self.assertEqual((rc.region_id, rc.start_address, rc.length_bytes),
                         (1, REGION_START, 16 * PAGE))
        self.assertEqual(rc.source, pb2.REGION_SOURCE_MMAP)
        self.assertEqual((rc.instructions, rc.tick), (10, 500))
        c.place(1, region_id=1, mode=pb2.PLACEMENT_MODE_BIND, nodes=[1])

        m = c.recv()
        self.assertEqual(m.sequence, 2)
        self.assertEqual(m.previous_reply.reply_to, 1)
        self.assertEqual(m.previous_reply.applied, 1)
        self.assertEqual(len(m.previous_reply.rejections), 0)
        e = m.epoch_ended
        self.assertEqual((e.epoch, e.start_tick, e.end_tick), (0, 0, 1000))
        self.assertEqual(list(e.pages.page_numbers),
                         [FIRST_PAGE, FIRST_PAGE + 1, FIRST_PAGE + 2])
        self.assertEqual(list(e.pages.reads), [10, 3, 1])
        self.assertEqual(list(e.pages.writes), [2, 0, 1])
        self.assertEqual(list(e.pages.nodes), [0, 0, 0])
        stats = {s.node: s for s in e.nodes}
        self.assertEqual((stats[0].reads, stats[0].writes,
                          stats[0].resident_pages), (14, 3, 3))
        # node 1: two frames, one used by others, none of ours yet
        self.assertEqual((stats[1].resident_pages, stats[1].free_pages),
                         (0, 1))
        c.migrate(2,
                  (FIRST_PAGE, 1),          # 0: applied
                  (FIRST_PAGE + 1, 7),      # 1: no such node
                  (999_999, 0),             # 2: in no region
                  (FIRST_PAGE + 9, 1),      # 3: mapped, never touched
                  (FIRST_PAGE + 1, 1),      # 4: node 1 now full
                  (FIRST_PAGE + 2, 0))      # 5: already there: applied

        m = c.recv()
        self.assertEqual(m.sequence, 3)
        out = m.previous_reply
        self.assertEqual((out.reply_to, out.applied), (2, 2))
        reasons = self.reasons(out)
        self.assertEqual(sorted(reasons), [1, 2, 3, 4])
        self.assertEqual(reasons[1], "node 7 out of range (nodes: 2)")
        # gem5's words: a page never touched has no page table entry yet
        self.assertEqual(reasons[2], "page 0xf423f is not mapped")
        self.assertEqual(reasons[3], f"page {FIRST_PAGE + 9:#x} is not mapped")
        self.assertEqual(reasons[4], "node 1 is full")
        self.assertEqual(out.rejected, 4)
        self.assertEqual({g.reason: list(g.first_indices) for g in out.groups},
                         {"node 7 out of range (nodes: 2)": [1],
                          "page is not mapped": [2, 3],
                          "node 1 is full": [4]})
        self.assertEqual(m.WhichOneof("event"), "epoch_ended")
        c.ack(3)

        m = c.recv()
        self.assertEqual(m.sequence, 4)
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual((m.previous_reply.reply_to,
                          m.previous_reply.applied), (3, 0))
        f = m.finished
        self.assertEqual((f.exit_code, f.ticks, f.instructions,
                          f.output_dir), (0, 9000, 3000000, "m5out"))
        self.assertIsNone(c.recv(), "Finished must be the last message")
        self.assertIsNone(c.error)

        result = run.join()
        self.assertIsNone(run.error)
        self.assertEqual(result.mode, "controller")
        self.assertEqual((result.events_sent, result.replies,
                          result.rejections), (4, 3, 4))
        self.assertIsInstance(result.final, ev.Finished)
        self.assertEqual(run.backend.migrated_pages, 1)
        self.assertEqual(run.backend.resident[FIRST_PAGE], 1)
        self.assertEqual(len(result.round_trips), 3)

    def test_failed_is_the_last_message(self):
        run = SimRun(script(region(), {"failed": {
            "reason": "gem5 panicked", "exit_code": 134,
            "output_tail": "panic: something"}}, finished()))
        c = self.controller(run)
        self.assertEqual(c.recv().sequence, 1)
        c.ack(1)
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "failed")
        self.assertEqual((m.failed.reason, m.failed.exit_code,
                          m.failed.output_tail),
                         ("gem5 panicked", 134, "panic: something"))
        self.assertIsNone(c.recv())
        self.assertIsInstance(run.join().final, ev.Failed)

    def test_stop_reply_stops_and_finishes(self):
        run = SimRun(script(region(), epoch(0), epoch(1),
                            finished(exit_code=5)))
        c = self.controller(run)
        c.recv()
        c.reply(1, stop=pb2.Stop(reason="enough"))
        m = c.recv()
        self.assertEqual(m.sequence, 2)
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual(m.finished.exit_code, 5)
        self.assertEqual((m.previous_reply.reply_to,
                          m.previous_reply.applied), (1, 1))
        self.assertIsNone(c.recv())
        result = run.join()
        self.assertEqual(run.backend.stop_reason, "enough")
        self.assertEqual(result.events_sent, 2)

    def test_stop_is_accepted_for_an_epoch_too(self):
        run = SimRun(script(epoch(0), epoch(1), finished()))
        c = self.controller(run)
        c.recv()
        c.reply(1, stop=pb2.Stop())
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        run.join()
        self.assertEqual(run.backend.stop_reason, "controller asked to stop")

    def test_bad_replies_are_rejected_and_the_run_goes_on(self):
        run = SimRun(script(region(), epoch(0), epoch(1), epoch(2),
                            epoch(3), finished()))
        c = self.controller(run)

        c.recv()  # 1: region_created, answered with migrations
        c.migrate(1, (FIRST_PAGE, 0), (FIRST_PAGE + 1, 0))
        m = c.recv()  # 2: epoch, answered with a placement
        reasons = self.reasons(m.previous_reply)
        self.assertEqual(sorted(reasons), [0, 1])
        self.assertIn("a migrations reply does not answer region_created",
                      reasons[0])
        self.assertEqual(m.previous_reply.applied, 0)
        c.place(2, region_id=1, mode=pb2.PLACEMENT_MODE_BIND, nodes=[0])
        m = c.recv()  # 3: epoch, answered with nothing in the oneof
        self.assertIn("a placement reply does not answer epoch_ended",
                      self.reasons(m.previous_reply)[0])
        c.send(pb2.ControllerMessage(reply_to=3))
        m = c.recv()  # 4: epoch, answered with the wrong reply_to
        self.assertIn("none of ack, placement, migrations, stop",
                      self.reasons(m.previous_reply)[0])
        c.ack(99)
        m = c.recv()  # 5: epoch; a duplicate of an old reply, then a good one
        self.assertEqual(m.sequence, 5)
        self.assertEqual(m.previous_reply.reply_to, 99)
        self.assertEqual(self.reasons(m.previous_reply)[0],
                         "reply_to 99 does not match the pending event 4")
        c.ack(4)
        c.migrate(5, (FIRST_PAGE, 1))
        m = c.recv()  # 6: finished
        self.assertEqual(m.WhichOneof("event"), "finished")
        self.assertEqual((m.previous_reply.reply_to,
                          m.previous_reply.applied,
                          len(m.previous_reply.rejections)), (5, 1, 0))
        result = run.join()
        self.assertEqual(result.mode, "controller")
        # The backend saw only the one good migration list.
        calls = [call for seen in run.backend.seen for call in seen]
        self.assertEqual([c[0] for c in calls], ["migrations"])

    def test_placements_are_checked_item_by_item(self):
        events = [region(i, start=REGION_START * (i + 1)) for i in range(1, 7)]
        run = SimRun(script(*events, finished()))
        c = self.controller(run)
        replies = [
            (9, pb2.PLACEMENT_MODE_BIND, [0], []),
            (2, pb2.PLACEMENT_MODE_BIND, [5], []),
            (3, pb2.PLACEMENT_MODE_DEFAULT, [0], []),
            (4, pb2.PLACEMENT_MODE_UNSPECIFIED, [0], []),
            (5, pb2.PLACEMENT_MODE_INTERLEAVE, [0, 1], [1]),
            (6, pb2.PLACEMENT_MODE_INTERLEAVE, [0, 1], [3, 1]),
        ]
        outcomes = []
        for seq, (region_id, mode, nodes, weights) in enumerate(replies, 1):
            m = c.recv()
            self.assertEqual(m.sequence, seq)
            if seq > 1:
                outcomes.append(m.previous_reply)
            c.place(seq, region_id, mode, nodes, weights)
        m = c.recv()
        self.assertEqual(m.WhichOneof("event"), "finished")
        outcomes.append(m.previous_reply)
        got = [self.reasons(o).get(0, "") for o in outcomes]
        # gem5's words (deepmem.checks); gem5 accepts nodes with default.
        self.assertIn("region 9 is unknown", got[0])
        self.assertIn("node 5 out of range (nodes: 2)", got[1])
        self.assertEqual(got[2], "")
        self.assertIn("placement mode 0 is not one of", got[3])
        self.assertIn("1 weights for 2 nodes", got[4])
        self.assertEqual(got[5], "")
        self.assertEqual([o.applied for o in outcomes], [0, 0, 1, 0, 0, 1])
        run.join()
        self.assertEqual(run.backend.placements[6].weights, (3, 1))

    def test_large_epoch_round_trips(self):
        run = SimRun(script(
            region(length=20_000 * PAGE),
            {"epoch_ended": {"epoch": 0, "start_tick": 0, "end_tick": 1,
                             "epoch_instructions": 1,
                             "total_instructions": 1,
                             "synthetic_pages": {"count": 10_000,
                                                 "first_page": FIRST_PAGE,
                                                 "node": 0}}},
            finished()))
        c = self.controller(run)
        c.recv()
        c.ack(1)
        m = c.recv()
        self.assertEqual(len(m.epoch_ended.pages.page_numbers), 10_000)
        self.assertEqual(m.epoch_ended.pages.page_numbers[-1],
                         FIRST_PAGE + 9_999)
        c.migrate(2, *[(FIRST_PAGE + i, 1) for i in range(3)])
        m = c.recv()
        # one free frame on node 1: the first applies, the rest are full
        self.assertEqual(m.previous_reply.applied, 1)
        self.assertEqual(sorted(self.reasons(m.previous_reply)), [1, 2])
        run.join()


if __name__ == "__main__":
    unittest.main()
