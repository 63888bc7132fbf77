namespace DeepResearcher.Evaluation.Datasets;

/// <summary>
/// The columns of the original's data/*.parquet (verl's RL layout, shared by Search-R1, R1-Searcher, ReSearch and
/// ZeroSearch): <c>data_source</c>, <c>prompt</c> (a list of <c>{role, content}</c>), <c>ability</c>,
/// <c>reward_model</c> (<c>{ground_truth, style}</c>, aliases joined by <see cref="AnswerSplit"/>) and
/// <c>extra_info</c> (<c>{index, split}</c>).
/// </summary>
public static class VerlColumns
{
    public const string DataSource = "data_source";
    public const string Prompt = "prompt";
    public const string Role = "role";
    public const string Content = "content";
    public const string Ability = "ability";
    public const string RewardModel = "reward_model";
    public const string GroundTruth = "ground_truth";
    public const string Style = "style";
    public const string ExtraInfo = "extra_info";
    public const string Index = "index";
    public const string Split = "split";

    /// <summary>Not verl's: the offline world's hop count and question type, written only when a question set has them.</summary>
    public const string Hops = "hops";
    public const string Type = "type";

    /// <summary>Joins a question's gold aliases in <c>reward_model.ground_truth</c>.</summary>
    public const string AnswerSplit = "<|answer_split|>";

    /// <summary>The original's <c>ability</c> for every row.</summary>
    public const string AbilityValue = "search & question answering";

    /// <summary>The original's <c>reward_model.style</c>.</summary>
    public const string StyleValue = "unknown";

    public const string DefaultSplit = "test";

    /// <summary>What the reader needs, as the error names it.</summary>
    public const string Required = "data_source, prompt (a list of {role, content}), reward_model.ground_truth and extra_info.index";
}
