using DeepResearcher.Evaluation.Datasets;
using DeepResearcher.Recipes.Configuration;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// A question file (JSONL or the original's parquet) for training on the web: its questions as the pipeline's
/// question records, with the hop count where the file gives one (0 otherwise) and no world path (nothing demonstrates them).
/// </summary>
public static class WebQuestionFile
{
    public static async Task<IReadOnlyList<WorldQuestion>> ReadAsync(string path, CancellationToken cancellationToken)
    {
        IReadOnlyList<QaExample> examples = await QaDataset.LoadAsync(path, cancellationToken);
        if (examples.Count == 0)
        {
            throw new ConfigException($"{path} holds no questions");
        }

        return [.. examples.Select(e => new WorldQuestion
        {
            Id = e.Id,
            Source = e.Source,
            Question = e.Question,
            Answers = e.Answers,
            Hops = e.Hops ?? 0,
            Type = e.Hops switch { 2 => QuestionType.TwoHop, >= 3 => QuestionType.ThreeHop, _ => QuestionType.OneHop },
            AnswerEntity = string.Empty,
            AnswerPage = string.Empty,
            Path = [],
        })];
    }
}
