using System.Runtime.CompilerServices;

// Layer-level finite-difference tests call each layer's internal forward/backward directly.
[assembly: InternalsVisibleTo("DeepResearcher.Engine.Tests")]
