using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// A question file named by <c>data.train_files</c> or <c>data.val_files</c> (JSONL or the original's parquet, read by
/// <see cref="QaDataset"/>), resolved to the world's own questions by id: the agent researches in the offline world,
/// and the expert demonstrator needs a question's supporting path, which only the world has.
/// </summary>
public static class WorldQuestionFile
{
    public static async Task<IReadOnlyList<WorldQuestion>> ReadAsync(string key, string path, IReadOnlyList<WorldQuestion> world, string worldDir, CancellationToken cancellationToken)
    {
        IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(path, cancellationToken);
        var byId = world.ToDictionary(q => q.Id, StringComparer.Ordinal);
        List<string> unknown = [.. examples.Where(e => !byId.ContainsKey(e.Id)).Select(e => e.Id)];
        if (unknown.Count > 0)
        {
            throw new ConfigException(
                $"{key}: {unknown.Count} of {examples.Count} questions in {path} are not questions of the world in {worldDir} (first: '{unknown[0]}'); "
                + "training researches in the offline world, so the file must hold its questions (write one with 'deepresearcher data export --data WORLD/questions/train.jsonl --out train.parquet')");
        }

        return [.. examples.Select(e => byId[e.Id])];
    }
}
