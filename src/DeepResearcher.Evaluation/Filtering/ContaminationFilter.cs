using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Filtering;

/// <summary>
/// The original's contamination filter (spec §7): sample k closed-book answers from the base model and drop the
/// question when any of them already contains a gold alias (pass@k), so training keeps only questions that need
/// research. Containment is checked on whole normalised words, as cover-EM does.
/// </summary>
public sealed class ContaminationFilter(IChatModel model, int samples = 10, float temperature = 1.0f)
{
    public const string Prompt = "Give a short answer to the following question. The answer should be in English. Question: {0} Your answer:";

    public async Task<FilterDecision> DecideAsync(QaExample example, CancellationToken cancellationToken)
    {
        for (int i = 0; i < samples; i++)
        {
            ModelReply reply = await model.GenerateAsync(new GenerationRequest
            {
                Messages = [ChatMessage.User(string.Format(System.Globalization.CultureInfo.InvariantCulture, Prompt, example.Question))],
                Sampling = new SamplingOptions { Temperature = temperature, MaxTokens = 64, StopSequences = [], Seed = i },
                TrajectoryId = $"{example.Id}-closed-book-{i}",
            }, cancellationToken);
            if (QaMetrics.CoverExactMatch(reply.Text, example.Answers, MetricRules.UnicodePunctuation) == 1.0)
            {
                return new FilterDecision(example.Id, false, "contaminated", $"closed-book sample {i + 1} of {samples} already answers it: {reply.Text.Trim()}");
            }
        }

        return new FilterDecision(example.Id, true, null);
    }
}
