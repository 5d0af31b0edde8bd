using DeepMem.Bridge;
using Proto = DeepMem.Protocol.V1;

namespace DeepMem.Tests.Bridge;

public class RejectionLedgerTests
{
    private static Proto.ReplyOutcome Outcome(ulong replyTo, params (string Reason, uint Count)[] groups)
    {
        var o = new Proto.ReplyOutcome { ReplyTo = replyTo, Rejected = (uint)groups.Sum(g => g.Count) };
        foreach (var (reason, count) in groups)
        {
            var g = new Proto.RejectionGroup { Reason = reason, Count = count };
            g.FirstIndices.AddRange(Enumerable.Range(0, (int)Math.Min(count, 8)).Select(i => (uint)i));
            o.Groups.Add(g);
        }

        return o;
    }

    [Fact]
    public void Reasons_past_the_cap_are_counted_under_other_reasons()
    {
        var ledger = new RejectionLedger();
        for (var i = 0; i < 100; i++)
        {
            ledger.Add(Outcome((ulong)i, ($"reason {i}", 10)));
        }

        var summaries = ledger.Summaries();
        Assert.Equal(RejectionLedger.MaxReasons + 1, summaries.Count);
        Assert.Equal(1000UL, ledger.Total);
        Assert.Equal(680UL, summaries.Single(s => s.Reason == RejectionLedger.OtherReasons).Count);
        Assert.All(summaries, s => Assert.True(s.FirstIndices.Count <= RejectionLedger.MaxIndices));
    }

    [Fact]
    public void One_log_line_per_reason_per_reply_and_the_same_reason_adds_up()
    {
        var ledger = new RejectionLedger();
        var (lines, _) = ledger.Add(Outcome(4, ("node 7 out of range (nodes: 2)", 1_000_000), ("page is not mapped", 3)));
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("reply to event 4: 1000000 item(s) rejected: node 7 out of range (nodes: 2) (first items: 0, 1, 2", lines[0]);
        ledger.Add(Outcome(6, ("node 7 out of range (nodes: 2)", 5)));
        var top = ledger.Summaries()[0];
        Assert.Equal(("node 7 out of range (nodes: 2)", 1_000_005UL), (top.Reason, top.Count));
        Assert.Equal(8, top.FirstIndices.Count);
    }
}
