using System.Text.RegularExpressions;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Filtering;

/// <summary>
/// The original's quality filter (spec §7): an LLM labels each question time-sensitive, harmful, subjective or good,
/// and only "good" is kept. Output that never yields a label after bounded retries drops the question with that
/// reason, logged, never silently.
/// </summary>
public sealed partial class QualityFilter(IChatModel model, int maxAttempts = 3)
{
    public const string Prompt = """
        You are screening questions for a dataset of factual research questions with short answers.
        Label the question with exactly one of:
        - time sensitive: the correct answer changes over time (e.g. "who is the current …", "how many … this year")
        - harmful: it asks for dangerous, hateful or private information
        - subjective: it has no single verifiable answer (opinions, preferences, predictions)
        - good: none of the above; a verifiable fact with one answer
        Think briefly, then give the label inside <answer></answer>.

        Question: {0}
        """;

    public static IReadOnlyList<string> Labels { get; } = ["time sensitive", "harmful", "subjective", "good"];

    public async Task<FilterDecision> DecideAsync(QaExample example, CancellationToken cancellationToken)
    {
        string? last = null;
        for (int attempt = 0; attempt < maxAttempts; attempt++)
        {
            ModelReply reply = await model.GenerateAsync(new GenerationRequest
            {
                Messages = [ChatMessage.User(string.Format(System.Globalization.CultureInfo.InvariantCulture, Prompt, example.Question))],
                Sampling = new SamplingOptions { Temperature = 0.6f, MaxTokens = 512, StopSequences = [] },
                TrajectoryId = $"{example.Id}-quality-{attempt}",
            }, cancellationToken);
            last = reply.Text;
            if (ParseLabel(reply.Text) is { } label)
            {
                return label == "good"
                    ? new FilterDecision(example.Id, true, null)
                    : new FilterDecision(example.Id, false, label.Replace(' ', '_'), "labelled by the quality model");
            }
        }

        return new FilterDecision(example.Id, false, "quality_label_unavailable", $"no label in {maxAttempts} replies; last: {last?.Trim()}");
    }

    public static string? ParseLabel(string text)
    {
        Match match = AnswerTag().Match(text);
        if (!match.Success)
        {
            return null;
        }

        string value = match.Groups[1].Value.Trim().ToLowerInvariant().Replace('-', ' ').Replace('_', ' ');
        return Labels.FirstOrDefault(l => value == l || value.StartsWith(l, StringComparison.Ordinal));
    }

    [GeneratedRegex("<answer>(.*?)</answer>", RegexOptions.Singleline)]
    private static partial Regex AnswerTag();
}
