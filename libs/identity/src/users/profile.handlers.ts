import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import type { Rejected } from '../identity.rejections';
import { ProfileService, type Profile } from './profile.service';
import type { ProfileChange } from './user';

/** A user's own profile on the `@nestjs/cqrs` buses; a refusal is a `Rejected` value. */

export class ProfileQuery extends Query<Profile | Rejected> {
  constructor(readonly userId: string) {
    super();
  }
}

/** Changes the user's name or phone; answers the profile after the change. */
export class UpdateProfileCommand extends Command<Profile | Rejected> {
  constructor(
    readonly userId: string,
    readonly change: ProfileChange,
  ) {
    super();
  }
}

@QueryHandler(ProfileQuery)
export class ProfileHandler implements IQueryHandler<ProfileQuery> {
  constructor(private readonly profiles: ProfileService) {}
  execute({ userId }: ProfileQuery): Promise<Profile | Rejected> {
    return this.profiles.get(userId);
  }
}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfileCommand> {
  constructor(private readonly profiles: ProfileService) {}
  execute({ userId, change }: UpdateProfileCommand): Promise<Profile | Rejected> {
    return this.profiles.update(userId, change);
  }
}

export const PROFILE_HANDLERS = [ProfileHandler, UpdateProfileHandler];
