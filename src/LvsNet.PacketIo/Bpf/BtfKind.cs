namespace LvsNet.PacketIo.Bpf;

/// <summary>The kinds of <c>btf_type.info</c> (BTF_KIND_*).</summary>
internal enum BtfKind
{
    /// <summary>BTF_KIND_INT: followed by a u32 (encoding, offset, bits).</summary>
    Int = 1,

    /// <summary>BTF_KIND_PTR.</summary>
    Pointer = 2,

    /// <summary>BTF_KIND_ARRAY: followed by struct btf_array (12 bytes).</summary>
    Array = 3,

    /// <summary>BTF_KIND_STRUCT: followed by vlen struct btf_member (12 bytes each).</summary>
    Struct = 4,

    /// <summary>BTF_KIND_UNION: as <see cref="Struct"/>.</summary>
    Union = 5,

    /// <summary>BTF_KIND_ENUM: followed by vlen struct btf_enum (8 bytes each).</summary>
    Enum = 6,

    /// <summary>BTF_KIND_FWD.</summary>
    Forward = 7,

    /// <summary>BTF_KIND_TYPEDEF.</summary>
    Typedef = 8,

    /// <summary>BTF_KIND_VOLATILE.</summary>
    Volatile = 9,

    /// <summary>BTF_KIND_CONST.</summary>
    Const = 10,

    /// <summary>BTF_KIND_RESTRICT.</summary>
    Restrict = 11,

    /// <summary>BTF_KIND_FUNC: a function (kernel function, kfunc); vlen is its linkage, type its prototype.</summary>
    Function = 12,

    /// <summary>BTF_KIND_FUNC_PROTO: followed by vlen struct btf_param (8 bytes each).</summary>
    FunctionPrototype = 13,

    /// <summary>BTF_KIND_VAR: followed by struct btf_var (4 bytes).</summary>
    Variable = 14,

    /// <summary>BTF_KIND_DATASEC: followed by vlen struct btf_var_secinfo (12 bytes each).</summary>
    DataSection = 15,

    /// <summary>BTF_KIND_FLOAT.</summary>
    Float = 16,

    /// <summary>BTF_KIND_DECL_TAG: followed by struct btf_decl_tag (4 bytes).</summary>
    DeclarationTag = 17,

    /// <summary>BTF_KIND_TYPE_TAG.</summary>
    TypeTag = 18,

    /// <summary>BTF_KIND_ENUM64: followed by vlen struct btf_enum64 (12 bytes each).</summary>
    Enum64 = 19,
}
