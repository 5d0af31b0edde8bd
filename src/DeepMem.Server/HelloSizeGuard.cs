using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace DeepMem.Server;

/// <summary>
/// Refuses a Hello larger than <see cref="MaxHelloBytes"/> before reading
/// it, as the gem5 side does: a HelloRequest is three short fields and the
/// caller is not yet authenticated. gRPC's message limit is one per service
/// (the Session stream needs the large one), so this middleware looks at the
/// Hello call's 5-byte gRPC frame header (flag, 4-byte big-endian length)
/// without consuming it and answers ResourceExhausted when the announced
/// length is over the limit; the message itself is never read.
/// </summary>
internal static class HelloSizeGuard
{
    /// <summary>The largest Hello accepted, in bytes (the gem5 side's MAX_HELLO_BYTES).</summary>
    public const int MaxHelloBytes = 16 * 1024;

    private const string HelloPath = "/deepmem.v1.CoSimulation/Hello";
    private const int FrameHeaderBytes = 5;

    public static Func<HttpContext, RequestDelegate, Task> Create(Action<string> log) => async (context, next) =>
    {
        if (context.Request.Path.Equals(HelloPath, StringComparison.Ordinal))
        {
            var reader = context.Request.BodyReader;
            var result = await reader.ReadAtLeastAsync(FrameHeaderBytes, context.RequestAborted).ConfigureAwait(false);
            var buffer = result.Buffer;
            long length = -1;
            if (buffer.Length >= FrameHeaderBytes)
            {
                var header = new byte[FrameHeaderBytes];
                buffer.Slice(0, FrameHeaderBytes).CopyTo(header);
                length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
            }

            // Nothing consumed or examined: gRPC reads the same bytes again.
            reader.AdvanceTo(buffer.Start);
            if (length > MaxHelloBytes)
            {
                var reason = string.Create(CultureInfo.InvariantCulture, $"Hello of {length} bytes (at most {MaxHelloBytes})");
                log($"refused Hello from {context.Connection.RemoteIpAddress}: {reason}");
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = "8"; // RESOURCE_EXHAUSTED
                context.Response.Headers["grpc-message"] = reason;
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    };
}
