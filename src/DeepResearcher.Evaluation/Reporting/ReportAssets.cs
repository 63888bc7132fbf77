using System.Reflection;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>The page's stylesheet and script, embedded in the assembly and inlined into every report.</summary>
internal static class ReportAssets
{
    public static string Css { get; } = Read("report.css");

    public static string Script { get; } = Read("report.js");

    /// <summary>The live training view's script (<see cref="LiveReportPage"/>).</summary>
    public static string LiveScript { get; } = Read("live.js");

    private static string Read(string name)
    {
        Assembly assembly = typeof(ReportAssets).Assembly;
        string resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using Stream stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
