using System.Text;
using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Pages;

/// <summary>
/// Plausible but fact-free prose that pads articles. It never contains digits or other entities' names, so a fact stated deep in a
/// long page cannot be found earlier by accident.
/// </summary>
public static class FillerText
{
    private static readonly string[] Openers =
        ["During this period", "Over the following decades", "In later accounts", "According to local tradition", "In the years that followed", "By general agreement", "For a long time", "In the view of many observers"];

    private static readonly string[] Groups =
        ["merchants", "guild members", "scholars", "farmers", "council members", "old families", "craftsmen", "chroniclers", "travellers", "teachers", "clerks", "boatmen"];

    private static readonly string[] Verbs =
        ["debated", "expanded", "restored", "documented", "reorganised", "questioned", "celebrated", "neglected", "revived", "reshaped", "studied", "defended"];

    private static readonly string[] Objects =
        ["the old roads", "the river trade", "the local customs", "the archives", "the market charters", "the harbour works", "the common lands", "the festival calendar", "the schools", "the bridges", "the parish records", "the weights and measures"];

    private static readonly string[] Observers =
        ["visitors", "later historians", "contemporary writers", "foreign envoys", "critics", "biographers", "local newspapers", "surveyors"];

    private static readonly string[] Qualities = ["gradual", "striking", "modest", "lasting", "uneven", "quiet", "sweeping", "curious"];
    private static readonly string[] Changes = ["shifts", "improvements", "tensions", "reforms", "disputes", "habits", "fashions", "ambitions"];
    private static readonly string[] Domains = ["public life", "the arts", "local government", "trade", "education", "farming", "religious life", "architecture", "music", "cooking"];

    private static readonly string[] Shapes =
    [
        "{open}, the {g} around {n} {v} {o}, and {ob} noted {q} {c} in {d}.",
        "{ob} have described the role of {n} in {d} as {q}, although the {g} {v} {o} with little fuss.",
        "Much of what is known about {n} in this respect comes from the {g}, who {v} {o}.",
        "{open}, questions about {d} dominated discussion, and the {g} {v} {o} more than once.",
        "Accounts by {ob} mention {q} {c} connected with {n}, especially where {o} were concerned.",
        "The {g} rarely agreed on {d}, yet they {v} {o} together.",
        "{open}, {n} was associated with {q} {c} in {d}.",
        "Some {ob} argue that the {c} of the time mattered less than the way the {g} {v} {o}.",
    ];

    /// <summary>Appends filler sentences about <paramref name="name"/> until about <paramref name="chars"/> characters were added.</summary>
    public static void AppendParagraph(StringBuilder sb, ref Prng rng, string name, int chars)
    {
        int start = sb.Length;
        while (sb.Length - start < chars)
        {
            if (sb.Length > start) sb.Append(' ');
            AppendSentence(sb, ref rng, name);
        }
    }

    public static string Paragraph(ref Prng rng, string name, int chars)
    {
        var sb = new StringBuilder(chars + 200);
        AppendParagraph(sb, ref rng, name, chars);
        return sb.ToString();
    }

    private static void AppendSentence(StringBuilder sb, ref Prng rng, string name)
    {
        string shape = Shapes[rng.Next(Shapes.Length)];
        int sentenceStart = sb.Length;
        int i = 0;
        while (i < shape.Length)
        {
            char ch = shape[i];
            if (ch != '{')
            {
                sb.Append(ch);
                i++;
                continue;
            }
            int close = shape.IndexOf('}', i);
            var key = shape.AsSpan(i + 1, close - i - 1);
            sb.Append(key switch
            {
                "open" => Openers[rng.Next(Openers.Length)],
                "g" => Groups[rng.Next(Groups.Length)],
                "v" => Verbs[rng.Next(Verbs.Length)],
                "o" => Objects[rng.Next(Objects.Length)],
                "ob" => Observers[rng.Next(Observers.Length)],
                "q" => Qualities[rng.Next(Qualities.Length)],
                "c" => Changes[rng.Next(Changes.Length)],
                "d" => Domains[rng.Next(Domains.Length)],
                "n" => name,
                _ => "",
            });
            i = close + 1;
        }
        sb[sentenceStart] = char.ToUpperInvariant(sb[sentenceStart]);
    }
}
