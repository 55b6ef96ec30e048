using System.Linq.Expressions;
using System.Reflection;
using static System.Linq.Expressions.Expression;

namespace Emulator.Partitions.Serialization;

/// <summary>
/// Compiles a <see cref="WireCodec"/> from a type's shape (<see cref="WireShapes"/>), as expression
/// trees: a composite's fields, and the structs and sealed records inside them, are written inline
/// in constructor order; a tagged field calls its <see cref="WireTagged"/>, a list a compiled
/// per-item delegate. What has no wire form fails here, at build, naming the field path.
/// Not thread safe (<see cref="NullabilityInfoContext"/>): <see cref="WireCodecs"/> builds under
/// a lock.
/// </summary>
internal sealed class WireCodecBuilder(WireCodecs codecs)
{
    private readonly WireTypes _types = codecs.Types;
    private readonly NullabilityInfoContext _nullability = new();
    private readonly HashSet<Type> _inlining = [];

    /// <summary>A field being built: its path for errors, and whether it may be null.</summary>
    private readonly record struct Field(string Path, bool AllowsNull, NullabilityInfo? Nullability)
    {
        public Field Item(Type type) =>
            new($"{Path}[]", !type.IsValueType && MayBeNull(ItemNullability()), ItemNullability());

        private NullabilityInfo? ItemNullability() =>
            Nullability?.ElementType ?? Nullability?.GenericTypeArguments.FirstOrDefault();
    }

    public WireCodec Build(Type type)
    {
        var field = new Field(WireTypes.NameOf(type), AllowsNull: false, Nullability: null);
        var writer = Parameter(typeof(WireWriter), "writer");
        var message = Parameter(typeof(object), "message");
        var write = Lambda<Action<WireWriter, object>>(
            Write(type, Convert(message, type), writer, field), writer, message);
        var reader = Parameter(typeof(WireReader), "reader");
        var read = Lambda<Func<WireReader, object>>(
            Convert(Read(type, reader, field), typeof(object)), reader);
        return new WireCodec(write.Compile(), read.Compile());
    }

    /// <summary>The fewest bytes a value of <paramref name="type"/> takes on the wire.</summary>
    private int BytesMin(Type type, bool allowsNull) => WireShapes.Of(type, _types) switch
    {
        WireShape.Single => sizeof(float),
        WireShape.Double => sizeof(double),
        WireShape.Composite when allowsNull && !type.IsValueType => 1,
        WireShape.Composite => InlineGuarded(type, "", () =>
            WireShapes.MembersOf(type).Properties.Sum(p => BytesMin(p.PropertyType, false))),
        _ => 1,
    };

    private Expression Write(Type type, Expression value, Expression writer, Field field)
    {
        switch (WireShapes.Of(type, _types))
        {
            case WireShape.Bool:
                return Call(writer, nameof(WireWriter.WriteBool), null, value);
            case WireShape.Byte:
                return Call(writer, nameof(WireWriter.WriteByte), null, value);
            case WireShape.Signed:
                return Call(writer, nameof(WireWriter.WriteSigned), null,
                    Convert(value, typeof(long)));
            case WireShape.Unsigned:
                return Call(writer, nameof(WireWriter.WriteUnsigned), null,
                    Convert(value, typeof(ulong)));
            case WireShape.Single:
                return Call(writer, nameof(WireWriter.WriteSingle), null, value);
            case WireShape.Double:
                return Call(writer, nameof(WireWriter.WriteDouble), null, value);
            case WireShape.Enum:
                var underlying = Convert(value, Enum.GetUnderlyingType(type));
                return new WireEnum(type).IsSigned
                    ? Call(writer, nameof(WireWriter.WriteSigned), null,
                        Convert(underlying, typeof(long)))
                    : Call(writer, nameof(WireWriter.WriteUnsigned), null,
                        Convert(underlying, typeof(ulong)));
            case WireShape.TimeSpan:
                return Call(writer, nameof(WireWriter.WriteSigned), null,
                    Property(value, nameof(TimeSpan.Ticks)));
            case WireShape.String:
                return WriteNullable(writer, nameof(WireWriter.WriteString), value, field);
            case WireShape.Bytes:
                return WriteNullable(writer, nameof(WireWriter.WriteBytes), value, field);
            case WireShape.ActorRef:
                return WriteNullable(writer, nameof(WireWriter.WriteActorRef), value, field);
            case WireShape.Nullable:
                return WriteNullableValue(type, value, writer, field);
            case WireShape.List:
                return WriteList(type, value, writer, field);
            case WireShape.Tagged:
                var tagged = new WireTagged(codecs, type, field.AllowsNull, field.Path);
                return Call(Constant(tagged), nameof(WireTagged.Write), null, writer,
                    Convert(value, typeof(object)));
            case WireShape.Composite:
                return WriteComposite(type, value, writer, field);
            default:
                throw Unsupported(type, field);
        }
    }

    private Expression Read(Type type, Expression reader, Field field)
    {
        switch (WireShapes.Of(type, _types))
        {
            case WireShape.Bool:
                return Call(reader, nameof(WireReader.ReadBool), null);
            case WireShape.Byte:
                return Call(reader, nameof(WireReader.ReadByte), null);
            case WireShape.Signed:
                var (min, max) = SignedRange(type);
                return Convert(Call(reader, nameof(WireReader.ReadSigned), null,
                    Constant(min), Constant(max)), type);
            case WireShape.Unsigned:
                return Convert(Call(reader, nameof(WireReader.ReadUnsigned), null,
                    Constant(UnsignedMax(type))), type);
            case WireShape.Single:
                return Call(reader, nameof(WireReader.ReadSingle), null);
            case WireShape.Double:
                return Call(reader, nameof(WireReader.ReadDouble), null);
            case WireShape.Enum:
                var number = Call(reader, nameof(WireReader.ReadEnum), null,
                    Constant(new WireEnum(type)));
                return Convert(Convert(number, Enum.GetUnderlyingType(type)), type);
            case WireShape.TimeSpan:
                return New(typeof(TimeSpan).GetConstructor([typeof(long)])!,
                    Call(reader, nameof(WireReader.ReadSigned), null,
                        Constant(long.MinValue), Constant(long.MaxValue)));
            case WireShape.String:
                return ReadNullable(reader, nameof(WireReader.ReadString), field);
            case WireShape.Bytes:
                return ReadNullable(reader, nameof(WireReader.ReadBytes), field);
            case WireShape.ActorRef:
                return ReadNullable(reader, nameof(WireReader.ReadActorRef), field);
            case WireShape.Nullable:
                var inner = System.Nullable.GetUnderlyingType(type)!;
                return Condition(Call(reader, nameof(WireReader.ReadPresence), null),
                    Convert(Read(inner, reader, field), type), Default(type));
            case WireShape.List:
                return ReadList(type, reader, field);
            case WireShape.Tagged:
                var tagged = new WireTagged(codecs, type, field.AllowsNull, field.Path);
                return Convert(Call(Constant(tagged), nameof(WireTagged.Read), null, reader), type);
            case WireShape.Composite:
                return ReadComposite(type, reader, field);
            default:
                throw Unsupported(type, field);
        }
    }

    private static MethodCallExpression WriteNullable(
        Expression writer, string method, Expression value, Field field) =>
        Call(writer, method, null, value, Constant(field.AllowsNull), Constant(field.Path));

    private static MethodCallExpression ReadNullable(
        Expression reader, string method, Field field) =>
        Call(reader, method, null, Constant(field.AllowsNull), Constant(field.Path));

    private BlockExpression WriteNullableValue(
        Type type, Expression value, Expression writer, Field field)
    {
        var local = Variable(type, "nullable");
        var inner = System.Nullable.GetUnderlyingType(type)!;
        return Block([local],
            Assign(local, value),
            IfThenElse(Property(local, nameof(Nullable<int>.HasValue)),
                Block(
                    Call(writer, nameof(WireWriter.WriteByte), null, Constant((byte)1)),
                    Write(inner, Call(local, nameof(Nullable<int>.GetValueOrDefault), null),
                        writer, field)),
                Call(writer, nameof(WireWriter.WriteByte), null, Constant((byte)0))));
    }

    private MethodCallExpression WriteList(
        Type type, Expression value, Expression writer, Field field)
    {
        var itemType = WireShapes.ElementOf(type)!;
        var item = field.Item(itemType);
        var itemWriter = Parameter(typeof(WireWriter), "writer");
        var itemValue = Parameter(itemType, "item");
        var writeItem = Lambda(
            typeof(Action<,>).MakeGenericType(typeof(WireWriter), itemType),
            Write(itemType, itemValue, itemWriter, item), itemWriter, itemValue).Compile();
        return Call(typeof(WireCodecs), nameof(WireCodecs.WriteList), [itemType],
            writer, Convert(value, typeof(IEnumerable<>).MakeGenericType(itemType)),
            Constant(writeItem), Constant(BytesMin(itemType, item.AllowsNull)),
            Constant(field.AllowsNull), Constant(field.Path));
    }

    private Expression ReadList(Type type, Expression reader, Field field)
    {
        var itemType = WireShapes.ElementOf(type)!;
        var item = field.Item(itemType);
        var itemReader = Parameter(typeof(WireReader), "reader");
        var readItem = Lambda(
            typeof(Func<,>).MakeGenericType(typeof(WireReader), itemType),
            Read(itemType, itemReader, item), itemReader).Compile();
        var asArray = type.IsAssignableFrom(itemType.MakeArrayType());
        var method = asArray ? nameof(WireCodecs.ReadArray) : nameof(WireCodecs.ReadList);
        var items = Call(typeof(WireCodecs), method, [itemType],
            reader, Constant(readItem), Constant(BytesMin(itemType, item.AllowsNull)),
            Constant(field.AllowsNull), Constant(field.Path));
        return Convert(items, type);
    }

    private Expression WriteComposite(Type type, Expression value, Expression writer, Field field)
    {
        var local = Variable(type, "composite");
        var fields = InlineGuarded(type, field.Path, () =>
        {
            var (constructor, properties) = WireShapes.MembersOf(type);
            var parameters = constructor?.GetParameters() ?? [];
            return parameters.Zip(properties, (parameter, property) =>
                    Write(property.PropertyType, Property(local, property), writer,
                        Child(field, parameter)))
                .DefaultIfEmpty(Empty())
                .ToList();
        });
        if (type.IsValueType) return Block([local], [Assign(local, value), .. fields]);
        var isNull = ReferenceEqual(local, Constant(null, type));
        var writeNull = Call(writer, nameof(WireWriter.WriteNull), null,
            Constant(field.AllowsNull), Constant(field.Path));
        var present = field.AllowsNull
            ? Block([Call(writer, nameof(WireWriter.WriteByte), null, Constant((byte)1)),
                .. fields])
            : Block(fields);
        return Block([local], Assign(local, value), IfThenElse(isNull, writeNull, present));
    }

    private Expression ReadComposite(Type type, Expression reader, Field field)
    {
        var made = InlineGuarded(type, field.Path, () =>
        {
            var (constructor, _) = WireShapes.MembersOf(type);
            if (constructor is null) return (Expression)Default(type);
            var arguments = constructor.GetParameters()
                .Select(p => Read(p.ParameterType, reader, Child(field, p)));
            return New(constructor, arguments);
        });
        if (type.IsValueType || !field.AllowsNull) return made;
        return Condition(Call(reader, nameof(WireReader.ReadPresence), null),
            made, Constant(null, type));
    }

    /// <summary>
    /// Inlining a type inside itself would never end; only a tagged field may recur.
    /// </summary>
    private T InlineGuarded<T>(Type type, string path, Func<T> inline)
    {
        if (!_inlining.Add(type))
        {
            throw new NotSupportedException(
                $"{path} holds {type.Name} inside itself (declare it abstract to recur)");
        }
        try
        {
            return inline();
        }
        finally
        {
            _inlining.Remove(type);
        }
    }

    private Field Child(Field parent, ParameterInfo parameter)
    {
        var nullability = _nullability.Create(parameter);
        var allowsNull = !parameter.ParameterType.IsValueType && MayBeNull(nullability);
        return new Field($"{parent.Path}.{parameter.Name}", allowsNull, nullability);
    }

    /// <summary>
    /// Oblivious code (no annotations) may pass null, so only NotNull forbids it.
    /// </summary>
    private static bool MayBeNull(NullabilityInfo? info) =>
        info is null || info.WriteState != NullabilityState.NotNull;

    private static (long Min, long Max) SignedRange(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.SByte => (sbyte.MinValue, sbyte.MaxValue),
        TypeCode.Int16 => (short.MinValue, short.MaxValue),
        TypeCode.Int32 => (int.MinValue, int.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    private static ulong UnsignedMax(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.UInt16 => ushort.MaxValue,
        TypeCode.Char => char.MaxValue,
        TypeCode.UInt32 => uint.MaxValue,
        _ => ulong.MaxValue,
    };

    private NotSupportedException Unsupported(Type type, Field field) =>
        WireShapes.Of(type, _types) == WireShape.Page
            ? new NotSupportedException(
                $"{field.Path} is an in-process Page, which must never cross nodes")
            : new NotSupportedException(
                $"{field.Path} is a {type.FullName}, which has no wire form (see WireShapes)");
}
