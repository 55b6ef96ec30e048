using System.Globalization;
using System.Text;
using System.Xml;

namespace Emulator.Host.Cli;

/// <summary>
/// <c>--junit FILE</c>: the runs as JUnit XML, which CI systems (GitLab, Jenkins, GitHub test
/// reporters, Azure DevOps) show as tests: one testsuite per file, one testcase per file and seed
/// that ran, each failure with its message, the command that reproduces it and its trace.
/// </summary>
public static class JUnitXml
{
    public static void Write(string path, SweepTotals totals, IReadOnlyList<RunRecord> runs)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        using var xml = XmlWriter.Create(path, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", "xpmem-emu");
        xml.WriteAttributeString("tests", Number(totals.Runs));
        xml.WriteAttributeString("failures", Number(totals.Failed));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("time", Seconds(totals.Elapsed));
        foreach (var file in runs.GroupBy(r => r.File))
        {
            WriteSuite(xml, file.Key, file.ToList());
        }
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteSuite(XmlWriter xml, SweepFile file, IReadOnlyList<RunRecord> runs)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", Clean(file.Path));
        xml.WriteAttributeString("tests", Number(runs.Count));
        xml.WriteAttributeString("failures", Number(runs.Count(r => !r.Passed)));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", "0");
        xml.WriteAttributeString("time", Seconds(Total(runs)));
        foreach (var run in runs)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("classname", Clean(file.Path));
            xml.WriteAttributeString("name", Clean($"{file.Scenario.Name} [seed {run.Seed}]"));
            xml.WriteAttributeString("time", Seconds(run.Result.Summary.Elapsed));
            if (!run.Passed)
            {
                var failures = run.Failures;
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", Clean(failures[0]));
                xml.WriteAttributeString("type", "ScenarioFailed");
                var body = failures.Select(Clean).Append($"reproduce: {Clean(run.Reproduce)}");
                if (run.TracePath is { } trace) body = body.Append($"trace: {Clean(trace)}");
                xml.WriteString(string.Join("\n", body));
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
    }

    private static TimeSpan Total(IEnumerable<RunRecord> runs) =>
        TimeSpan.FromTicks(runs.Sum(r => r.Result.Summary.Elapsed.Ticks));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) =>
        time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot hold control characters: show them as escapes.</summary>
    private static string Clean(string text)
    {
        var escaped = UserText.Escape(text);
        return escaped.All(XmlConvert.IsXmlChar) ? escaped
            : string.Concat(escaped.Select(c => XmlConvert.IsXmlChar(c) || char.IsSurrogate(c)
                ? c.ToString() : $"\\u{(int)c:x4}"));
    }
}
