// Proves the sequence diagram (SVG, well-formed XML) draws the run as a person reads it: one
// lifeline per actor in partition order (a fault actor on its thread group's), each delivery an
// arrow from its inferred sender in delivery order, the fault chain's arrows grouped in one band
// of its colour, the call's answer as a dashed arrow back to the runner, lock visits as bars on
// the holder's lifeline (the wait faint, the hold solid); and that a long run is cut to its first
// and last arrows with a note of what was left out. Fed by traces written by hand.
using System.Xml.Linq;
using Emulator.Host.Reports.Html;
using Emulator.Host.Reports.Timeline;
using Xunit;

namespace Emulator.Tests.Reports;

public sealed class SequenceDiagramSpec
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void SequenceDiagram_must_draw_a_lifeline_per_actor_in_partition_order()
    {
        var svg = Draw(TraceText.RemoteFault());

        Assert.Equal(
        [
            "runner", "p0", "p0/tg-100", "xpc-p0", "p1/tg-100", "p1/tg-100/seg-1", "xpc-p1",
        ], Groups(svg, "lifeline").Select(g => (string)g.Attribute("data-actor")!));
        var a = Groups(svg, "lifeline").Single(g => (string)g.Attribute("data-actor")! == "p0/tg-100");
        Assert.Contains("a", a.Elements(Svg + "text").Select(t => t.Value));
    }

    [Fact]
    public void SequenceDiagram_must_group_the_fault_chains_arrows_in_one_band()
    {
        var svg = Draw(TraceText.RemoteFault());

        var chain = Assert.Single(Groups(svg, "fault-chain"));
        Assert.Equal("p0/100.1", (string)chain.Attribute("data-chain")!);
        var colour = (string)chain.Attribute("data-colour")!;
        Assert.Equal(SequenceDiagram.ChainColours[0], colour);
        Assert.Equal(colour, (string)chain.Elements(Svg + "rect")
            .Single(r => (string?)r.Attribute("class") == "band").Attribute("fill")!);
        var arrows = chain.Elements(Svg + "g").ToList();
        Assert.Equal(12, arrows.Count);
        Assert.All(arrows, arrow => Assert.Equal(colour,
            (string)arrow.Descendants(Svg + "line").Concat(arrow.Descendants(Svg + "path"))
                .First().Attribute("stroke")!));
        // The arrows outside any chain: the call going in (2) and its answer (1).
        var plain = Groups(svg, "messages").Single().Elements(Svg + "g").ToList();
        Assert.Equal(["message", "message", "return"],
            plain.Select(g => (string)g.Attribute("class")!));
    }

    [Fact]
    public void SequenceDiagram_must_draw_each_arrow_from_its_sender_in_delivery_order()
    {
        var svg = Draw(TraceText.RemoteFault());

        var arrows = svg.Descendants(Svg + "g")
            .Where(g => (string?)g.Attribute("class") is "message" or "return")
            .OrderBy(g => (long)g.Attribute("data-seq")!)
            .Select(g => g.Element(Svg + "title")!.Value)
            .ToList();
        Assert.Equal(15, arrows.Count);
        Assert.Contains("xpc-p1 → p1/tg-100/seg-1: Pin [p0/100.1]", arrows[4]);
        // The fault actor's delivery sits on its thread group's lifeline.
        Assert.Contains("xpc-p1 → xpc-p0: Pinned via Sequenced", arrows[8]);
        Assert.Contains("xpc-p0 → p0/tg-100: Pinned [", arrows[9]);
        Assert.Contains("p0/tg-100 → p0/tg-100: Pinned", arrows[10]);
        Assert.Contains("p0/tg-100 → runner: read: ok 0x0", arrows[11]);
        var ys = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "message")
            .OrderBy(g => (long)g.Attribute("data-seq")!)
            .Select(g => (double)g.Descendants(Svg + "text").First().Attribute("y")!).ToList();
        Assert.Equal(ys.Order(), ys);
    }

    [Fact]
    public void SequenceDiagram_must_draw_lock_visits_as_bars_on_the_holders_lifeline()
    {
        var svg = Draw(TraceText.RemoteFault());

        var holds = Groups(svg, "lock-hold").ToList();
        Assert.Equal(["mmap_sem of p0/100", "mmap_sem of p1/100"],
            holds.Select(h => (string)h.Attribute("data-lock")!).Order());
        var lifeline = Groups(svg, "lifeline").Single(g => (string)g.Attribute("data-actor")! == "p0/tg-100")
            .Element(Svg + "line")!;
        var x = (double)lifeline.Attribute("x1")!;
        foreach (var rect in holds.SelectMany(h => h.Elements(Svg + "rect")))
        {
            var left = (double)rect.Attribute("x")!;
            Assert.InRange(left, x, x + 20);
        }
        var owners = holds.Single(h => (string)h.Attribute("data-lock")! == "mmap_sem of p1/100");
        Assert.Equal(["waiting", "held"], owners.Elements(Svg + "rect").Select(r => (string)r.Attribute("class")!));
        Assert.Single(holds.Single(h => h != owners).Elements(Svg + "rect"));
    }

    [Fact]
    public void SequenceDiagram_must_keep_the_first_and_last_arrows_of_a_long_run()
    {
        var text = new TraceText().Header();
        for (var index = 0; index < 1_000; index++)
            text.Deliver(index * 100L, "p0", "Unreferenced", "\"pid\":100");
        var diagram = new SequenceDiagram(rowsAtEachEnd: 10);
        new RunTimeline(diagram).ReadAll(text.Verdict().Lines());

        var svg = Render(diagram);

        Assert.Equal((1_000L, 980L), (diagram.Messages, diagram.LeftOut));
        var seqs = svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "message")
            .Select(g => (long)g.Attribute("data-seq")!).ToList();
        Assert.Equal([.. Enumerable.Range(1, 10).Select(i => (long)i),
            .. Enumerable.Range(991, 10).Select(i => (long)i)], seqs);
        Assert.Contains("980 messages left out (seq 11 to 990)",
            Groups(svg, "gap").Single().Value);
    }

    [Fact]
    public void SequenceDiagram_must_say_so_when_a_trace_has_no_messages()
    {
        var diagram = new SequenceDiagram();
        new RunTimeline(diagram).ReadAll(new TraceText().Header("Cluster").Verdict().Lines());

        var html = new StringWriter();
        diagram.WriteSvg(html);

        Assert.Contains("No messages in this trace", html.ToString());
    }

    internal static XElement Draw(TraceText text)
    {
        var diagram = new SequenceDiagram();
        new RunTimeline(diagram).ReadAll(text.Lines());
        return Render(diagram);
    }

    private static XElement Render(SequenceDiagram diagram)
    {
        var svg = new StringWriter();
        diagram.WriteSvg(svg);
        return XElement.Parse(svg.ToString());
    }

    private static IEnumerable<XElement> Groups(XElement svg, string @class) =>
        svg.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == @class);
}
