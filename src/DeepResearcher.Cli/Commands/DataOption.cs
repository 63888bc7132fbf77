namespace DeepResearcher.Cli.Commands;

/// <summary>What every command's <c>--data</c> reads: one description, as every command reads the same formats (QaDataset).</summary>
internal static class DataOption
{
    public const string Description =
        "Questions: JSONL ({\"id\",\"source\",\"question\",\"answers\":[...]}, FlashRAG's golden_answers, or a world's questions file), "
        + "or the original's verl parquet (FILE.parquet: data_source, prompt, reward_model.ground_truth, extra_info.index).";
}
