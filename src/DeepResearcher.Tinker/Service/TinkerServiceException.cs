namespace DeepResearcher.Tinker.Service;

/// <summary>A refusal of the training service: the HTTP status and the detail FastAPI-style servers send as <c>{"detail": ...}</c>.</summary>
public sealed class TinkerServiceException(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;
}
