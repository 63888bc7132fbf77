namespace DeepResearcher.Engine.Threading;

/// <summary>
/// The work of one parallel loop: <see cref="Invoke"/> runs iteration <c>index</c>.
/// Implement it on a struct (a <c>ref struct</c> is allowed) so that a parallel loop allocates nothing.
/// </summary>
public interface IParallelBody
{
    void Invoke(int index);
}
