namespace DeepResearcher.Evaluation.Datasets;

/// <summary>How a question set is stored on disk; a file's extension decides which (<see cref="QaDataset.FormatOf"/>).</summary>
public enum DatasetFormat
{
    /// <summary>One JSON object per line: <c>{"id","source","question","answers":[…]}</c> (or FlashRAG's <c>golden_answers</c>).</summary>
    Jsonl,

    /// <summary>The original's (verl's) RL layout: <c>data_source</c>, <c>prompt</c>, <c>ability</c>, <c>reward_model</c>, <c>extra_info</c>.</summary>
    Parquet,
}
