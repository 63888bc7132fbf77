using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Pipeline;

/// <summary>
/// The train questions GRPO draws from: those the warm start did not demonstrate, so a rollout's reward is not for
/// replaying a memorised demonstration. Questions that merely share a demonstrated question's answer page stay in: cutting
/// those too (as the world cuts its test split) left a pool of almost only 1-hop questions, because the pages that answer
/// multi-hop questions are the well-connected ones every demonstration set reaches (docs/results.md).
/// </summary>
public static class GrpoQuestionPool
{
    /// <returns>The undemonstrated questions in train order; all of <paramref name="train"/> when every one was demonstrated.</returns>
    public static List<WorldQuestion> Select(IReadOnlyList<WorldQuestion> train, IReadOnlyList<WorldQuestion> demonstrated)
    {
        var seen = new HashSet<string>(demonstrated.Select(q => q.Id), StringComparer.Ordinal);
        List<WorldQuestion> unseen = [.. train.Where(q => !seen.Contains(q.Id))];
        return unseen.Count > 0 ? unseen : [.. train];
    }
}
