namespace DeepResearcher.World.Questions;

/// <summary>Wire names of <see cref="QuestionType"/> as written in the JSONL "type" field.</summary>
public static class QuestionTypes
{
    public static string WireName(QuestionType type) => type switch
    {
        QuestionType.OneHop => "1-hop",
        QuestionType.TwoHop => "2-hop",
        QuestionType.ThreeHop => "3-hop",
        QuestionType.Comparison => "comparison",
        QuestionType.YesNo => "yes-no",
        QuestionType.Deep => "deep",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static QuestionType Parse(string wire)
    {
        foreach (var t in Enum.GetValues<QuestionType>())
        {
            if (WireName(t) == wire) return t;
        }
        throw new FormatException($"Unknown question type '{wire}'. Expected 1-hop, 2-hop, 3-hop, comparison, yes-no or deep.");
    }
}
