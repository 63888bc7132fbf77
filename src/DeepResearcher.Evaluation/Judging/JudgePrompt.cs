using System.Text;

namespace DeepResearcher.Evaluation.Judging;

/// <summary>The original's model-based-evaluation prompt (spec §8), paraphrased: rationale first, then a JSON verdict.</summary>
public static class JudgePrompt
{
    public const string System = "You are a helpful assistant.";

    public static string Render(string question, IReadOnlyList<string> answers, string prediction)
    {
        var sb = new StringBuilder();
        sb.AppendLine("You will be given a question, a list of ground-truth answers and a predicted answer.");
        sb.AppendLine("Decide whether the prediction is correct. Any item of the ground-truth list is an acceptable answer.");
        sb.AppendLine("The prediction is correct if it means the same as at least one ground-truth answer; an exact word-for-word match is not required.");
        sb.AppendLine("First explain your reasoning, then give your judgement.");
        sb.AppendLine();
        sb.Append("Question: ").AppendLine(question);
        sb.Append("Ground truth: ").AppendLine(JsonList(answers));
        sb.Append("Prediction: ").AppendLine(prediction);
        sb.AppendLine();
        sb.AppendLine("Reply with a JSON object only, in this form:");
        sb.Append("{\"rationale\": \"your reasoning\", \"judgement\": \"correct\" or \"incorrect\"}");
        return sb.ToString();
    }

    private static string JsonList(IReadOnlyList<string> answers)
        => global::System.Text.Json.JsonSerializer.Serialize(answers, Runs.RunJson.Options);
}
