/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small seeded random generator for the fuzzers (xorshift64*): the same
 * seed gives the same run, so a failure printed with its seed replays.
 *
 *	rng_seed(seed);		any value; 0 is replaced by a fixed one
 *	rng_next();		64 random bits
 *	rng_below(n);		0 .. n-1
 */
#ifndef KERNELPEEK_RNG_H
#define KERNELPEEK_RNG_H

#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static inline void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static inline uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rng_below(uint64_t n)
{
	return rng_next() % n;
}

#endif /* KERNELPEEK_RNG_H */
