import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';

/** The sites area's error codes. */
export enum SiteErrorCode {
  SiteNotFound = 'site-not-found',
  DuplicateSite = 'duplicate-site',
  TooManySites = 'too-many-sites',
  MergeIntoItself = 'merge-into-itself',
  ConversionConflict = 'conversion-conflict',
}

/** The most sites a clinic may create (clinic merges may exceed it; behavior-patients.md §21). */
export const MAX_SITES = 50;

/** Worded as the established service words them (behavior-patients.md §21, §23). */
export const SiteErrors = {
  /** UpdateSite with an id the clinic does not have. */
  unknownSite: (): ApiError =>
    ApiError.constraintViolation('the clinic has no site with that name').because(SiteErrorCode.SiteNotFound),
  /** DeleteSite with an id the clinic does not have (the established wording). */
  deleteNotFound: (): ApiError => ApiError.notFound('clinic').because(SiteErrorCode.SiteNotFound),
  /** MergeSite: the target site is not the clinic's. */
  targetNotFound: (): ApiError => ApiError.notFoundMessage('not found').because(SiteErrorCode.SiteNotFound),
  /** MergeSite: the source site is not the clinic's (the established wording). */
  sourceNotFound: (): ApiError => ApiError.notFound('clinic').because(SiteErrorCode.SiteNotFound),
  duplicateSite: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'duplicate site name').because(SiteErrorCode.DuplicateSite),
  /** UpdateSite's wording of the same conflict. */
  duplicateSiteOnUpdate: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'checking site constraints: duplicate site name').because(
      SiteErrorCode.DuplicateSite,
    ),
  tooManySites: (): ApiError =>
    ApiError.constraintViolation(`the clinic already has the maximum number of ${MAX_SITES} sites`).because(
      SiteErrorCode.TooManySites,
    ),
  mergeIntoItself: (): ApiError =>
    new ApiError(HttpStatus.BAD_REQUEST, "can't merge a site into itself: bad request").because(
      SiteErrorCode.MergeIntoItself,
    ),
  /** ConvertPatientTagToSite at the site limit. */
  conversionConflict: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'conflict').because(SiteErrorCode.ConversionConflict),
};

/** Site names compare case-insensitively (a Unicode case fold). */
export function siteNameKey(name: string): string {
  return name.toUpperCase().toLowerCase();
}

/**
 * The first free name for a site made from a tag: the name itself, else `Name (2)`, then `Name (3)`,
 * … (the suffix added is bumped). `taken` holds the name keys of the clinic's sites.
 */
export function freeSiteName(name: string, taken: Set<string>): string {
  if (!taken.has(siteNameKey(name))) return name;
  for (let n = 2; ; n += 1) {
    const candidate = `${name} (${n})`;
    if (!taken.has(siteNameKey(candidate))) return candidate;
  }
}
