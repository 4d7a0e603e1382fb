// Implementation of core/profiler.h (filled by the inspect work).
