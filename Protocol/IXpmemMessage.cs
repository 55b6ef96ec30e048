using Emulator.Protocol.Ids;

namespace Emulator.Protocol;

/// <summary>Marks every protocol message, so one serializer binding covers them all.</summary>
public interface IXpmemMessage;

/// <summary>A request: carries its id and where the one reply goes.</summary>
public interface IRequest : IXpmemMessage
{
    RequestId RequestId { get; }
}

/// <summary>A reply: echoes the id of the request it answers.</summary>
public interface IReply : IXpmemMessage
{
    RequestId RequestId { get; }
}
