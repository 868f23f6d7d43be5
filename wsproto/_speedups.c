/* Optional C accelerator: XOR masking of WebSocket payloads (RFC 6455 section 5.3).
 * wsproto/_masking.py falls back to pure Python when this module is absent. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h> /* every x86-64 CPU has SSE2 */
#endif

static PyObject *
speedups_mask(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer data, key;
    PyObject *result;
    unsigned char *out;
    const unsigned char *in, *k;
    Py_ssize_t n, i = 0;
    uint64_t key64;

    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "mask(data, key) takes exactly 2 arguments");
        return NULL;
    }
    if (PyObject_GetBuffer(args[0], &data, PyBUF_SIMPLE) < 0)
        return NULL;
    if (PyObject_GetBuffer(args[1], &key, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    if (key.len != 4) {
        PyBuffer_Release(&data);
        PyBuffer_Release(&key);
        PyErr_SetString(PyExc_ValueError, "the masking key must be 4 bytes");
        return NULL;
    }
    n = data.len;
    result = PyBytes_FromStringAndSize(NULL, n);
    if (result == NULL) {
        PyBuffer_Release(&data);
        PyBuffer_Release(&key);
        return NULL;
    }
    out = (unsigned char *)PyBytes_AsString(result);
    in = (const unsigned char *)data.buf;
    k = (const unsigned char *)key.buf;
    /* The 4-byte key repeated twice fills a 64-bit word; memcpy keeps unaligned access legal. */
    memcpy(&key64, k, 4);
    memcpy((unsigned char *)&key64 + 4, k, 4);
    Py_BEGIN_ALLOW_THREADS
#if defined(__SSE2__)
    {
        /* 32 bytes per turn in two 16-byte registers, each holding the key four times. */
        const __m128i key128 = _mm_set1_epi64x((long long)key64);
        for (; i + 32 <= n; i += 32) {
            __m128i a = _mm_loadu_si128((const __m128i *)(in + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(in + i + 16));
            _mm_storeu_si128((__m128i *)(out + i), _mm_xor_si128(a, key128));
            _mm_storeu_si128((__m128i *)(out + i + 16), _mm_xor_si128(b, key128));
        }
    }
#endif
    /* i is a multiple of 4 here and below, so the key stays in phase. */
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, in + i, 8);
        word ^= key64;
        memcpy(out + i, &word, 8);
    }
    for (; i < n; i++)
        out[i] = in[i] ^ k[i & 3];
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    PyBuffer_Release(&key);
    return result;
}

static PyMethodDef speedups_methods[] = {
    {"mask", (PyCFunction)(void (*)(void))speedups_mask, METH_FASTCALL,
     "mask(data, key) -> bytes: XOR data with the 4-byte key repeated."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT, "wsproto._speedups", "C accelerator for wsproto masking.", -1,
    speedups_methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&speedups_module);
}
