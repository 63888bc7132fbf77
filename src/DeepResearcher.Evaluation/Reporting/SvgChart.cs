using System.Globalization;
using System.Net;
using System.Text;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>Bar and line charts as inline SVG, drawn here so the report needs no script library and no network.</summary>
public static class SvgChart
{
    private const int Width = 560;
    private const int Height = 250;
    private const int Left = 48;
    private const int Right = 12;
    private const int Top = 34;
    private const int Bottom = 46;

    public static readonly string[] Palette = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#dc2626", "#0891b2"];

    /// <summary>Grouped bars: one group per category, one bar per series.</summary>
    public static string Bars(string title, IReadOnlyList<string> categories, IReadOnlyList<ChartSeries> series, string unit, double? max = null)
    {
        double top = max ?? NiceMax(series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(1).Max());
        var sb = Begin(title, series);
        Grid(sb, top, unit);
        double plotWidth = Width - Left - Right;
        double groupWidth = plotWidth / Math.Max(1, categories.Count);
        double barWidth = Math.Min(28, groupWidth * 0.8 / Math.Max(1, series.Count));
        for (int c = 0; c < categories.Count; c++)
        {
            double groupLeft = Left + c * groupWidth + (groupWidth - barWidth * series.Count) / 2;
            for (int s = 0; s < series.Count; s++)
            {
                if (series[s].Values[c] is not double value)
                {
                    continue;
                }

                // A zero still gets a sliver, so "scored 0" reads differently from "not measured".
                double h = Math.Max(1.5, (Height - Top - Bottom) * Math.Clamp(value / top, 0, 1));
                double x = groupLeft + s * barWidth;
                double y = Height - Bottom - h;
                if (barWidth >= 18)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (barWidth - 2) / 2:0.#}\" y=\"{y - 4:0.#}\" text-anchor=\"middle\" class=\"value\">{E(Format(value, unit, axis: true))}</text>");
                }

                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth - 2:0.#}\" height=\"{h:0.#}\" rx=\"2\" fill=\"{Palette[s % Palette.Length]}\">")
                  .Append("<title>").Append(E($"{categories[c]} · {series[s].Name}: {Format(value, unit)}")).Append("</title></rect>");
            }

            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + c * groupWidth + groupWidth / 2:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{E(categories[c])}</text>");
        }

        return End(sb);
    }

    /// <summary>Lines over x (training steps).</summary>
    public static string Lines(string title, IReadOnlyList<double> x, IReadOnlyList<ChartSeries> series, string unit)
    {
        List<double> values = [.. series.SelectMany(s => s.Values).Where(v => v is not null && double.IsFinite(v.Value)).Select(v => v!.Value)];
        double min = values.Count == 0 ? 0 : Math.Min(0, values.Min());
        double max = values.Count == 0 ? 1 : NiceMax(values.Max());
        if (max <= min)
        {
            max = min + 1;
        }

        var sb = Begin(title, series);
        Grid(sb, max, unit, min);
        double x0 = x.Count == 0 ? 0 : x.Min(), x1 = x.Count == 0 ? 1 : Math.Max(x.Max(), x0 + 1);
        double Px(double v) => Left + (Width - Left - Right) * (v - x0) / (x1 - x0);
        double Py(double v) => Height - Bottom - (Height - Top - Bottom) * (v - min) / (max - min);
        for (int s = 0; s < series.Count; s++)
        {
            var points = new StringBuilder();
            for (int i = 0; i < x.Count && i < series[s].Values.Count; i++)
            {
                if (series[s].Values[i] is double v && double.IsFinite(v))
                {
                    points.Append(CultureInfo.InvariantCulture, $"{Px(x[i]):0.#},{Py(v):0.#} ");
                }
            }

            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{Palette[s % Palette.Length]}\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"{points.ToString().TrimEnd()}\"><title>{E(series[s].Name)}</title></polyline>");
        }

        foreach (double tick in new[] { x0, Math.Round((x0 + x1) / 2), x1 }.Distinct())
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(tick):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" class=\"tick\">{tick:0.#}</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + (Width - Left - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" class=\"tick\">step</text>");
        return End(sb);
    }

    private static StringBuilder Begin(string title, IReadOnlyList<ChartSeries> series)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(title)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"16\" class=\"chart-title\">{E(title)}</text>");
        double lx = Width - Right;
        for (int s = series.Count - 1; s >= 0; s--)
        {
            double w = 14 + series[s].Name.Length * 6.2;
            lx -= w + 10;
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:0.#}\" y=\"7\" width=\"10\" height=\"10\" rx=\"2\" fill=\"{Palette[s % Palette.Length]}\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 14:0.#}\" y=\"16\" class=\"legend\">{E(series[s].Name)}</text>");
        }

        return sb;
    }

    private static void Grid(StringBuilder sb, double max, string unit, double min = 0)
    {
        for (int i = 0; i <= 4; i++)
        {
            double v = min + (max - min) * i / 4;
            double y = Height - Bottom - (Height - Top - Bottom) * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" class=\"grid\"/>")
              .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" class=\"tick\">{E(AxisLabel(v, max - min, unit))}</text>");
        }
    }

    private static string End(StringBuilder sb) => sb.Append("</svg>").ToString();

    private static string Format(double value, string unit, bool axis = false) => unit switch
    {
        "%" => (value * 100).ToString(axis ? "0" : "0.0", CultureInfo.InvariantCulture),
        _ => Math.Abs(value) >= 100 ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString(axis ? "0.##" : "0.00", CultureInfo.InvariantCulture),
    };

    /// <summary>Enough decimals to tell the grid lines apart, whatever the scale (a KL of 0.004 as well as 5,000 tokens).</summary>
    private static string AxisLabel(double value, double range, string unit)
    {
        if (unit == "%")
        {
            return Format(value, unit, axis: true);
        }

        int decimals = range <= 0 ? 0 : Math.Clamp((int)Math.Ceiling(-Math.Log10(range / 4)) + 2, 0, 6);
        return value.ToString("0." + new string('#', Math.Max(1, decimals)), CultureInfo.InvariantCulture);
    }

    private static double NiceMax(double value)
    {
        if (value <= 0 || !double.IsFinite(value))
        {
            return 1;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
