using DeepResearcher.Core.Agent;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Running;

/// <summary>The policy for one question and sample: a shared client for served models, a fresh one for stateful policies such as the expert.</summary>
public delegate IChatModel PolicyFactory(QaExample example, int sample);
