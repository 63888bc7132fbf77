using System.Globalization;
using System.Text;
using DeepResearcher.Core.Protocol.Json;

namespace DeepResearcher.Core.Protocol.Observations;

/// <summary>
/// Renders observations as the text that goes inside <c>&lt;tool_response&gt;</c>. Both formats share one structure
/// (the original's keys); they differ only in quoting. Failures add an <c>error</c> key, where the original gave an
/// empty list and left the model guessing.
/// </summary>
public sealed class ObservationFormatter(ObservationFormat format)
{
    public ObservationFormat Format => format;

    public string Render(ToolObservation observation)
    {
        var sb = new StringBuilder();
        switch (observation)
        {
            case SearchObservation search:
                List(sb, search.Queries, (q, b) => Dict(b,
                [
                    ("search_query", x => Str(x, q.Query)),
                    ("web_page_info_list", x => List(x, q.Hits, (h, y) => Dict(y,
                    [
                        ("title", z => Str(z, h.Title)),
                        ("url", z => Str(z, h.Url)),
                        ("quick_summary", z => Str(z, h.Snippet)),
                    ]))),
                    .. ErrorEntry(q.Error),
                ]));
                break;
            case BrowseObservation browse:
                List(sb, browse.Pages, (p, b) => Dict(b,
                [
                    ("url", x => Str(x, p.Url)),
                    ("information", x => List(x, p.Information, (info, y) => Dict(y,
                    [
                        ("page_number", z => z.Append(info.PageNumber.ToString(CultureInfo.InvariantCulture))),
                        ("page_summary", z => Str(z, info.Summary)),
                    ]))),
                    .. ErrorEntry(p.Error),
                ]));
                break;
            case TextObservation text:
                sb.Append(text.Text);
                break;
            case ToolErrorObservation error:
                sb.Append('[');
                Dict(sb, [("error", x => Str(x, error.Message))]);
                sb.Append(']');
                break;
            default:
                throw new ArgumentException($"Unknown observation type {observation.GetType().Name}.", nameof(observation));
        }

        return sb.ToString();
    }

    private (string, Action<StringBuilder>)[] ErrorEntry(string? error)
        => error is null ? [] : [("error", x => Str(x, error))];

    private void Str(StringBuilder sb, string value)
    {
        if (format == ObservationFormat.Paper)
        {
            PythonRepr.WriteString(sb, value);
        }
        else
        {
            PythonJson.WriteString(sb, value);
        }
    }

    private void Dict(StringBuilder sb, (string Key, Action<StringBuilder> Write)[] entries)
    {
        sb.Append('{');
        for (int i = 0; i < entries.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Str(sb, entries[i].Key);
            sb.Append(": ");
            entries[i].Write(sb);
        }

        sb.Append('}');
    }

    private static void List<T>(StringBuilder sb, IReadOnlyList<T> items, Action<T, StringBuilder> write)
    {
        sb.Append('[');
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            write(items[i], sb);
        }

        sb.Append(']');
    }
}
