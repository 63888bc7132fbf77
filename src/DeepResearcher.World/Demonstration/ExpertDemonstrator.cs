using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Json;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;

namespace DeepResearcher.World.Demonstration;

/// <summary>
/// A scripted research policy for one world question: for each step of the question's supporting path it searches,
/// browses the step's page from the results, and checks that the observation states the step's value before moving
/// on; it answers only after every step was seen. It never answers from the question's metadata alone, so its score
/// measures whether the world is answerable through the real tools. Its turns follow the protocol exactly, which
/// makes them demonstrations for a supervised warm start.
/// </summary>
public sealed partial class ExpertDemonstrator : IChatModel
{
    private const int MaxRereads = 3;

    private readonly WorldQuestion _question;
    private readonly ExpertNoise _noise;
    private Prng _rng;
    private int _step;
    private Phase _phase = Phase.Search;
    private bool _reformulated;
    private bool _vagueQueryPending;
    private bool _extraBrowseDone;
    private int _rereads;
    private string? _pageUrl;
    private readonly StringBuilder _seen = new();
    private string _lastSearch = string.Empty;

    public ExpertDemonstrator(WorldQuestion question, ExpertNoise? noise = null, ulong seed = 0)
    {
        _question = question;
        _noise = noise ?? ExpertNoise.None;
        _rng = Prng.For(seed, question.Id);
    }

    private enum Phase
    {
        Search,
        Browse,
        Verify,
    }

    public string Name => "expert-demonstrator";

    public bool SupportsPrefill => true;

    public Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        string observation = request.Messages.Count > 0 && request.Messages[^1].Role == ChatRole.User && request.Messages.Count > 2
            ? request.Messages[^1].Content
            : string.Empty;
        _seen.Append(observation).Append('\n');
        if (observation.Contains("search_query", StringComparison.Ordinal))
        {
            _lastSearch = observation;
        }

        string text = Decide(observation);
        // With the <think> prefill the turn starts inside the think block; without it, the expert writes the tag itself.
        return Task.FromResult(new ModelReply { Text = request.Prefill.Length > 0 ? text : "<think>" + text });
    }

    private string Decide(string observation)
    {
        if (_step == 0 && _phase == Phase.Search && _noise.GiveUp > 0 && _rng.NextDouble() < _noise.GiveUp)
        {
            return Answer("I doubt I can find this reliably, so I will say I do not know.", "unknown");
        }

        while (true)
        {
            if (_step >= _question.Path.Count)
            {
                return Answer(Conclusion(), _question.Answers[0]);
            }

            QuestionStep step = _question.Path[_step];
            switch (_phase)
            {
                case Phase.Search:
                    _phase = Phase.Browse;
                    if (!_reformulated && _noise.WrongFirstQuery > 0 && _rng.NextDouble() < _noise.WrongFirstQuery)
                    {
                        // An off-target first query (the relation alone, without the subject), so the expert has to notice and reformulate.
                        _reformulated = true;
                        _vagueQueryPending = true;
                        return Search($"I need the {Words(step.Relation)} of {step.Name}. Let me start with a broad search.", Words(step.Relation) + " records list");
                    }

                    return Search(Plan(step), step.Query);

                case Phase.Browse:
                    string? url = FindResult(_lastSearch, step.Page);
                    if (url is null && _vagueQueryPending)
                    {
                        _vagueQueryPending = false;
                        return Search($"These results are not about {step.Name}. I will search more specifically.", step.Query);
                    }

                    _vagueQueryPending = false;
                    if (url is null)
                    {
                        if (!_reformulated)
                        {
                            _reformulated = true;
                            return Search($"The results do not include the page about {step.Name}. I will search with its name alone.", step.Name);
                        }

                        return Answer($"I could not find a page about {step.Name}, so I cannot determine the answer.", "unknown");
                    }

                    if (!_extraBrowseDone && _noise.UnneededBrowse > 0 && FirstOtherResult(_lastSearch, url) is { } other && _rng.NextDouble() < _noise.UnneededBrowse)
                    {
                        _extraBrowseDone = true;
                        return Browse($"Before the page about {step.Name}, I will check {other} as well.", other);
                    }

                    if (_noise.AnswerFromResults > 0 && _step == _question.Path.Count - 1 && AnswersFromSnippets(_question.Type) && _rng.NextDouble() < _noise.AnswerFromResults)
                    {
                        string guess = SnippetGuess(Snippet(_lastSearch, url), step);
                        return Answer($"The result about {step.Name} mentions {guess}. I will answer from the search results.", guess);
                    }

                    _pageUrl = url;
                    _phase = Phase.Verify;
                    _rereads = 0;
                    return Browse($"The results include the page about {step.Name}: {url}. I will read it to find the {Words(step.Relation)}.", url);

                case Phase.Verify:
                    if (_seen.ToString().Contains(step.Value, StringComparison.OrdinalIgnoreCase))
                    {
                        _step++;
                        _phase = Phase.Search;
                        _reformulated = false;
                        continue;
                    }

                    if (_rereads < MaxRereads && !observation.Contains("already read to the end", StringComparison.Ordinal))
                    {
                        _rereads++;
                        return Browse($"The part of the page I read does not state the {Words(step.Relation)} of {step.Name} yet. I will read further.", _pageUrl!);
                    }

                    return Answer($"The page about {step.Name} does not state the {Words(step.Relation)}, so I cannot determine the answer.", "unknown");
            }
        }
    }

    private string Plan(QuestionStep step)
    {
        var sb = new StringBuilder();
        if (_step == 0 && _question.Path.Count > 1)
        {
            sb.Append(CultureInfo.InvariantCulture, $"This needs {_question.Path.Count} facts. ");
        }
        else if (_step > 0)
        {
            QuestionStep previous = _question.Path[_step - 1];
            sb.Append(CultureInfo.InvariantCulture, $"The {Words(previous.Relation)} of {previous.Name} is {previous.Value}. ");
        }

        sb.Append(CultureInfo.InvariantCulture, $"Next I need the {Words(step.Relation)} of {step.Name}. I will search for it.");
        return sb.ToString();
    }

    private string Conclusion()
    {
        var sb = new StringBuilder();
        foreach (QuestionStep step in _question.Path)
        {
            sb.Append(CultureInfo.InvariantCulture, $"The {Words(step.Relation)} of {step.Name} is {step.Value}. ");
        }

        sb.Append(CultureInfo.InvariantCulture, $"So the answer is {_question.Answers[0]}.");
        return sb.ToString();
    }

    private static string Words(string relation) => relation.Replace('_', ' ');

    private static string Search(string think, string query)
        => think + "\n</think>\n<tool_call>\n" + Call(ResearchTools.WebSearchName, "query", query) + "\n</tool_call>";

    private static string Browse(string think, string url)
        => think + "\n</think>\n<tool_call>\n" + Call(ResearchTools.BrowseWebpageName, "url_list", url) + "\n</tool_call>";

    private static string Answer(string think, string answer) => think + "\n</think>\n<answer>" + answer + "</answer>";

    private static string Call(string name, string argument, string value)
        => PythonJson.Serialize(new JsonObject { ["name"] = name, ["arguments"] = new JsonObject { [argument] = new JsonArray(value) } });

    /// <summary>The result whose URL path is the step's page (a redirecting alias or mirror would not state the fact canonically).</summary>
    private static string? FindResult(string observation, string pagePath)
    {
        foreach (Match match in UrlPattern().Matches(observation))
        {
            if (Uri.TryCreate(match.Value, UriKind.Absolute, out Uri? uri) && uri.AbsolutePath == pagePath)
            {
                return match.Value;
            }
        }

        return null;
    }

    private static string? FirstOtherResult(string observation, string url)
    {
        foreach (Match match in UrlPattern().Matches(observation))
        {
            if (match.Value != url)
            {
                return match.Value;
            }
        }

        return null;
    }

    [GeneratedRegex("https?://[^\\s'\"\\]\\[<>]+")]
    private static partial Regex UrlPattern();

    private static bool AnswersFromSnippets(QuestionType type)
        => type is QuestionType.OneHop or QuestionType.TwoHop or QuestionType.ThreeHop or QuestionType.Deep;

    /// <summary>The quick summary the results give for <paramref name="url"/>, or empty.</summary>
    private static string Snippet(string observation, string url)
    {
        foreach (Match match in SnippetPattern().Matches(observation))
        {
            if (match.Groups["url"].Value == url)
            {
                return match.Groups["single"].Success ? match.Groups["single"].Value : match.Groups["double"].Value;
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// What a hasty reader takes from a snippet: its first number for a numeric value, else its first capitalised name
    /// that is not the subject's or a section heading. It knows only the snippet, never the value.
    /// </summary>
    private static string SnippetGuess(string snippet, QuestionStep step)
    {
        bool numeric = step.Value.Length > 0 && char.IsAsciiDigit(step.Value[0]);
        if (numeric)
        {
            Match number = NumberPattern().Match(snippet);
            return number.Success ? number.Value.TrimEnd(',') : "unknown";
        }

        // The subject's own name runs into its neighbours ("Raegle Ou Hytas Glythbrum was…"): cut it out first.
        foreach (Match name in NamePattern().Matches(snippet.Replace(step.Name, " | ", StringComparison.Ordinal)))
        {
            string candidate = name.Value;
            if (!step.Name.Contains(candidate, StringComparison.Ordinal) && !candidate.Contains(step.Name, StringComparison.Ordinal) && !Headings.Contains(candidate))
            {
                return candidate;
            }
        }

        return "unknown";
    }

    /// <summary>Capitalised words of the site's headings and sentence starts, which a reader would not take for a name.</summary>
    private static readonly HashSet<string> Headings = new(StringComparer.Ordinal)
    {
        "Life", "Geography", "Overview", "Trivia", "Connections", "History", "Legacy", "Works", "Background", "Notes",
        "It", "The", "By", "During", "Some", "Much", "In", "Records", "Accounts", "Later", "According", "Its", "This", "Other",
    };

    [GeneratedRegex("'url': '(?<url>[^']*)', 'quick_summary': (?:'(?<single>[^']*)'|\"(?<double>[^\"]*)\")")]
    private static partial Regex SnippetPattern();

    [GeneratedRegex("\\d[\\d,]*")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("[A-Z][a-z]+(?: [A-Z][a-z]+)*")]
    private static partial Regex NamePattern();
}
