// common needs one translation unit until json.cpp/sha256.cpp land.
