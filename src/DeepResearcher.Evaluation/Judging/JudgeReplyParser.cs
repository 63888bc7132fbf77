using System.Text.Json;
using System.Text.RegularExpressions;

namespace DeepResearcher.Evaluation.Judging;

/// <summary>Finds the JSON verdict in a judge's reply, as the original did with <c>\{.*\}</c>, and checks it.</summary>
public static partial class JudgeReplyParser
{
    /// <returns>The verdict and rationale, or null when the reply holds no valid judgement.</returns>
    public static (bool Correct, string Rationale)? Parse(string reply)
    {
        Match match = JsonObjectPattern().Match(reply);
        if (!match.Success)
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(match.Value);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("judgement", out JsonElement judgement)
                || judgement.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            string rationale = document.RootElement.TryGetProperty("rationale", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : string.Empty;
            return judgement.GetString()!.Trim().ToLowerInvariant() switch
            {
                "correct" => (true, rationale),
                "incorrect" => (false, rationale),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\{.*\}", RegexOptions.Singleline)]
    private static partial Regex JsonObjectPattern();
}
