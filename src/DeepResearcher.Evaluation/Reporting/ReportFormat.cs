using System.Globalization;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>How numbers read in both report formats: scores in percent with one decimal, as the paper prints them.</summary>
public static class ReportFormat
{
    public static string Percent(double? value) => value is double v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) : "—";

    public static string Number(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The colour class of a 0–1 score.</summary>
    public static string ScoreClass(double? value) => value switch
    {
        null => "s-na",
        >= 0.6 => "s-good",
        >= 0.3 => "s-mid",
        _ => "s-bad",
    };
}
