namespace DeepResearcher.Web.Reading;

/// <summary>The browsing agent's reader: goes through a page's segments in order and extracts what is new and relevant.</summary>
public interface IPageReader
{
    string Name { get; }

    Task<PageReading> ReadAsync(PageReadRequest request, CancellationToken cancellationToken);
}
